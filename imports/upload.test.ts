import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedActivityFile } from '../activities/activity-file.ts';
import type { AppContext } from '../app/context.ts';
import upload from '../bot/commands/upload.ts';
import { workoutMessageJob } from '../bot/jobs/workout-message.job.ts';
import { ensureAthlete, setThreshold } from '../db/queries/athletes.ts';
import { AppError } from '../lib/errors.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import { fitToStreams } from '../metrics/fit.ts';
import { startServices } from '../test/context.ts';
import { startFileServer } from '../test/imports/file-server.ts';
import { toGpx, toTcx } from '../test/imports/write-xml.ts';
import { readActivityFileLegs } from './detect.ts';

const fixtureDir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((name) => name.endsWith('.fit'));
const fixture = (name: string) => readFileSync(`${fixtureDir}${name}`);

let env: Awaited<ReturnType<typeof startServices>>;
let files: Awaited<ReturnType<typeof startFileServer>>;
let ctx: AppContext;
let users = 0;
const newUser = () => `7100000000000000${String(++users).padStart(2, '0')}`;

beforeAll(async () => {
  env = await startServices({ jobs: [workoutMessageJob] as never });
  ctx = env.ctx;
  files = await startFileServer();
});
afterAll(async () => {
  await files?.close();
  await env?.stop();
});

/** Runs /upload as Discord would hand it the attachment: flattened {url, name, size, contentType}. */
async function runUpload(
  userId: string,
  name: string,
  data: Buffer,
  attachment: { size?: number; contentType?: string | null; contentLength?: boolean } = {},
): Promise<Reply> {
  const url = files.put(`${userId}/${name}`, data, { contentLength: attachment.contentLength ?? true });
  const options = upload.options.parse({
    file: { url, name, size: attachment.size ?? data.length, contentType: attachment.contentType ?? null },
  });
  return upload.execute(
    {
      invoker: { userId, username: 'rider', inGuild: false, interactionId: '1' },
      options,
      progress: async () => {},
    },
    ctx,
  );
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).userMessage;
}

const fieldsOf = (reply: Reply) =>
  Object.fromEntries((reply.embeds?.[0]?.fields ?? []).map((f) => [f.name, f.value]));

async function activitiesOf(userId: string) {
  return ctx.db
    .selectFrom('activities')
    .innerJoin('athletes', 'athletes.id', 'activities.athlete_id')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.source',
      'activities.sport_type',
      'activities.athlete_id',
      'activity_metrics.stress',
      'activity_metrics.stress_method',
    ])
    .where('athletes.discord_user_id', '=', userId)
    .execute();
}

describe('/upload with the real FIT fixtures', () => {
  it.each(fixtures)('%s', async (name) => {
    const userId = newUser();
    const bytes = fixture(name);
    const parsed = fitToStreams(bytes);
    if (parsed.streams.time.length === 0) {
      // Nothing decodes (compressed-timestamp records): a clear refusal, and no athlete data written.
      const message = await refusal(runUpload(userId, name, bytes));
      expect(message).toMatch(/Nothing in .* could be read as a workout/);
      expect(message).toMatch(/compressed timestamp/);
      expect(await activitiesOf(userId)).toHaveLength(0);
      return;
    }
    const legs = await readActivityFileLegs(bytes, name);
    const reply = await runUpload(userId, name, bytes);
    if (legs.length > 1) {
      // A multisport file: one activity per leg, each with its own sport and stress.
      expect(reply.content).toMatch(new RegExp(`multisport file: ${legs.length} legs`));
      const stored = await activitiesOf(userId);
      expect(stored.map((a) => a.sport_type).sort()).toEqual(
        legs.map((leg) => leg.sport ?? 'Workout').sort(),
      );
      for (const activity of stored) expect(activity.stress).not.toBeNull();
      return;
    }
    const fields = fieldsOf(reply);
    expect(reply.content).toMatch(/Analysed/);
    expect(fields.Stress).toMatch(/^\d+ \((power|pace|hr|swim|estimated)\)$/);
    expect(fields['Read from the file']).toMatch(/^FIT, \d+ samples/);
    if (parsed.warnings.length > 0)
      expect(fields['Could not be read']).toContain(parsed.warnings[0]!.slice(0, 40));
    else expect(fields['Could not be read']).toBeUndefined();
    const [activity] = await activitiesOf(userId);
    expect(activity).toMatchObject({ source: 'file_upload' });
    expect(activity!.stress).not.toBeNull();
    // The PMC moved exactly as for a Strava activity: the day's stress is the activity's.
    const load = await ctx.db
      .selectFrom('daily_load')
      .select(['stress', 'sources'])
      .where('athlete_id', '=', activity!.athlete_id)
      .where('stress', '>', 0)
      .execute();
    expect(load).toHaveLength(activity!.stress! > 0 ? 1 : 0);
    if (load[0]) {
      expect(load[0].stress).toBeCloseTo(activity!.stress!, 6);
      expect(load[0].sources).toEqual(['file_upload']);
    }
    const sources = await ctx.db
      .selectFrom('activity_sources')
      .selectAll()
      .where('activity_id', '=', activity!.id)
      .execute();
    expect(sources).toMatchObject([{ source: 'file_upload', kept: true, format: 'fit', file_name: name }]);
  });

  it('the indoor trainer file gives power-based stress and says so', async () => {
    const userId = newUser();
    const athlete = await ensureAthlete(ctx.db, userId);
    await setThreshold(ctx.db, athlete.id, 'ftp', 250, '2000-01-01');
    const reply = await runUpload(
      userId,
      'trainer.fit',
      fixture('fitparse-sample-activity-indoor-trainer.fit'),
    );
    const fields = fieldsOf(reply);
    expect(fields.Stress).toMatch(/\(power\)/);
    expect(fields.NP).toMatch(/^22[78] W$/);
    expect(fields.Sport).toBe('Ride');
  });
});

describe('/upload of TCX and GPX (written from the real recordings), plain and gzipped', () => {
  const source = fitToStreams(fixture('fitparse-activity-small-fenix2-run.fit'));
  const asParsed = source as unknown as ParsedActivityFile;

  it('TCX keeps HR, position, altitude and distance, and the sport', async () => {
    const userId = newUser();
    const athlete = await ensureAthlete(ctx.db, userId);
    await setThreshold(ctx.db, athlete.id, 'threshold_pace', 270, '2000-01-01');
    const reply = await runUpload(userId, 'run.tcx', Buffer.from(toTcx(asParsed, 'Running')));
    const fields = fieldsOf(reply);
    expect(fields.Sport).toBe('Run');
    expect(fields['Read from the file']).toMatch(/^TCX, \d+ samples: .*heartrate.*position/);
    expect(fields.Stress).toMatch(/\(pace\)/);
    expect(fields.Distance).toMatch(/km$/);
  });

  it('GPX.gz keeps HR, position and altitude, sums distance from positions, takes the track name', async () => {
    const userId = newUser();
    const gpx = gzipSync(toGpx(asParsed, 'Lunch Run', 'running'));
    const reply = await runUpload(userId, 'run.gpx.gz', gpx);
    expect(reply.embeds?.[0]?.title).toBe('Lunch Run');
    const fields = fieldsOf(reply);
    expect(fields.Sport).toBe('Run');
    expect(fields['Read from the file']).toMatch(/^GPX, \d+ samples: .*heartrate.*distance.*position/);
    const distanceKm = Number(fields.Distance!.replace(' km', ''));
    expect(distanceKm).toBeGreaterThan(5);
  });

  it('the same file twice is one activity', async () => {
    const userId = newUser();
    const bytes = fixture('garmin-HrmPluginTestActivity.fit');
    await runUpload(userId, 'walk.fit', bytes);
    const again = await runUpload(userId, 'walk.fit', bytes);
    expect(again.content).toMatch(/uploaded before/);
    const activities = await activitiesOf(userId);
    expect(activities).toHaveLength(1);
    // The new workout's message is queued once (the duplicate queues nothing), to be sent within a minute.
    const queued = await ctx.db
      .selectFrom('workout_messages')
      .select(['activity_id', 'status'])
      .where('athlete_id', '=', activities[0]!.athlete_id)
      .execute();
    expect(queued).toEqual([{ activity_id: activities[0]!.id, status: 'pending' }]);
    const jobs = await env.boss.findJobs('discord.workout-message', {
      data: { athleteId: activities[0]!.athlete_id },
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.startAfter.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
  });
});

describe('/upload refuses hostile and wrong files with a clear message', () => {
  it('a 50 MB attachment is refused before anything is downloaded', async () => {
    const message = await refusal(
      runUpload(newUser(), 'huge.fit', Buffer.alloc(16), { size: 50 * 1024 * 1024 }),
    );
    expect(message).toMatch(/50 MB; the limit is 25 MB/);
  });

  it('a 50 MB body behind a small declared size is cut off while downloading', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 7);
    const message = await refusal(
      runUpload(newUser(), 'liar.fit', big, { size: 1000, contentLength: false }),
    );
    expect(message).toMatch(/larger than 25 MB/);
  });

  it('a gzip bomb (100 MB of zeros as .fit.gz) is refused once it passes the inflate cap', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200_000);
    const message = await refusal(runUpload(newUser(), 'bomb.fit.gz', bomb));
    expect(message).toMatch(/inflates to more than 64 MB/);
  });

  it('wrong magic bytes: a PNG named .fit', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(100)]);
    const message = await refusal(runUpload(newUser(), 'ride.fit', png));
    expect(message).toMatch(/not a FIT, TCX or GPX file/);
  });

  it('a GPX named .fit is refused as mislabelled', async () => {
    const message = await refusal(
      runUpload(newUser(), 'ride.fit', Buffer.from('<?xml version="1.0"?><gpx></gpx>')),
    );
    expect(message).toMatch(/named \.fit but holds a GPX file/);
  });

  it('an image content type or a non-workout name is refused unread; a ZIP points to /import', async () => {
    expect(
      await refusal(runUpload(newUser(), 'a.fit', Buffer.alloc(10), { contentType: 'image/png' })),
    ).toMatch(/image\/png/);
    expect(await refusal(runUpload(newUser(), 'notes.txt', Buffer.alloc(10)))).toMatch(
      /\.fit, \.tcx or \.gpx/,
    );
    expect(await refusal(runUpload(newUser(), 'export.zip', Buffer.alloc(10)))).toMatch(/\/import/);
  });

  it('XML with a DTD (entity bomb) is refused', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>';
    expect(await refusal(runUpload(newUser(), 'x.gpx', Buffer.from(xml)))).toMatch(/DTD/);
  });

  it('a truncated FIT keeps what decoded and says what was lost', async () => {
    const userId = newUser();
    const whole = fixture('fitparse-activity-small-fenix2-run.fit');
    const reply = await runUpload(userId, 'cut.fit', whole.subarray(0, Math.floor(whole.length / 2)));
    const fields = fieldsOf(reply);
    expect(fields['Could not be read']).toMatch(/integrity check|stopped early/);
    expect(await activitiesOf(userId)).toHaveLength(1);
  });

  it('a truncated GPX and a truncated .gz keep every complete point before the cut', async () => {
    const source = fitToStreams(fixture('garmin-Activity.fit')) as unknown as ParsedActivityFile;
    const gpx = Buffer.from(toGpx(source, 'Paddle'));
    const cut = gpx.subarray(0, Math.floor(gpx.length * 0.6));
    const userA = newUser();
    const reply = await runUpload(userA, 'paddle.gpx', cut);
    expect(fieldsOf(reply)['Could not be read']).toMatch(/ends early \(truncated\)/);
    const gz = gzipSync(fixture('garmin-Activity.fit'));
    const replyGz = await runUpload(newUser(), 'paddle.fit.gz', gz.subarray(0, Math.floor(gz.length * 0.7)));
    expect(fieldsOf(replyGz)['Could not be read']).toMatch(/compressed file ends early/);
  });

  it('garbage after a gzip header is a damaged-file refusal', async () => {
    const bad = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(50, 0xff)]);
    expect(await refusal(runUpload(newUser(), 'bad.fit.gz', bad))).toMatch(/damaged gzip/);
  });
});
