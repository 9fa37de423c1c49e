import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAthlete } from '../db/queries/athletes.ts';
import { readActivityFile } from '../imports/detect.ts';
import { importActivityFile } from '../imports/import-file.ts';
import { fitToStreams } from '../metrics/fit.ts';
import { startServices } from '../test/context.ts';
import { reshape } from '../test/imports/synthetic-export.ts';
import { toGpx } from '../test/imports/write-xml.ts';
import { type ParsedActivityFile, streamDurationS } from './activity-file.ts';
import { compareRichness, richnessOf, sameDuration } from './dedup.ts';
import { recordDelivery } from './record-delivery.ts';
import type { CsvOnlyActivity } from './store-csv-activity.ts';
import { mergeStravaDelivery } from './strava-merge.ts';

const fixtureDir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const rideFit = readFileSync(`${fixtureDir}fitparse-sample-activity-indoor-trainer.fit`);
const ride = fitToStreams(rideFit) as unknown as ParsedActivityFile;

describe('dedup rules', () => {
  it('durations match within 5 % of the longer one', () => {
    expect(sameDuration(3600, 3780)).toBe(true);
    expect(sameDuration(3600, 3790)).toBe(false);
    expect(sameDuration(0, 0)).toBe(false);
  });

  it('richer means more measured quantities first, then more samples; speed and distance count once', () => {
    const fit = richnessOf(['time', 'watts', 'heartrate', 'cadence', 'velocity_smooth', 'distance'], 1000);
    const gpx = richnessOf(['time', 'heartrate', 'distance', 'altitude', 'latlng'], 5000);
    expect(fit.quantities).toEqual(['cadence', 'heart rate', 'power', 'speed']);
    // As many quantities each: the one with more samples is richer.
    expect(compareRichness(fit, gpx)).toBeLessThan(0);
    expect(
      compareRichness(richnessOf(['time', 'watts', 'heartrate'], 10), richnessOf(['time', 'heartrate'], 99)),
    ).toBeGreaterThan(0);
    expect(richnessOf(['time', 'moving', 'grade_smooth'], 10).quantities).toEqual([]);
  });
});

describe('the same workout from two files is one activity', () => {
  let env: Awaited<ReturnType<typeof startServices>>;
  beforeAll(async () => {
    env = await startServices();
  });
  afterAll(async () => {
    await env?.stop();
  });

  const upload = async (discordUserId: string, name: string, bytes: Buffer) => {
    const athlete = await ensureAthlete(env.ctx.db, discordUserId);
    const parsed = await readActivityFile(bytes, name);
    return importActivityFile(env.ctx, athlete, {
      source: 'file_upload',
      sourceRef: name,
      fileName: name,
      parsed,
    });
  };
  const activities = (discordUserId: string) =>
    env.ctx.db
      .selectFrom('activities')
      .innerJoin('athletes', 'athletes.id', 'activities.athlete_id')
      .innerJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
      .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.id',
        'activity_streams.channels',
        'activity_metrics.stress',
        'activities.athlete_id',
      ])
      .where('athletes.discord_user_id', '=', discordUserId)
      .execute();
  // The FIT has power, HR, cadence; a GPX of it (as a phone app might record) has HR and cadence only.
  const poorer = (start: Date, stretch = 1) => {
    const copy = reshape(ride, start, 1, stretch);
    return Buffer.from(
      toGpx(
        { ...copy, streams: { ...copy.streams, channels: { heartrate: copy.streams.channels.heartrate! } } },
        'Phone',
      ),
    );
  };

  it('FIT first, then a poorer GPX: the GPX is recorded as a duplicate and the FIT streams stay', async () => {
    const user = '730000000000000001';
    await upload(user, 'ride.fit', rideFit);
    const second = await upload(user, 'ride.gpx', poorer(new Date(ride.startTime!.getTime() + 90_000)));
    expect(second.status).toBe('duplicate');
    expect(second.reason).toMatch(/kept its file_upload streams/);
    const [only, ...rest] = await activities(user);
    expect(rest).toHaveLength(0);
    expect(only!.channels).toContain('watts');
  });

  it('GPX first, then the richer FIT: the FIT replaces the streams, the PMC counts the workout once', async () => {
    const user = '730000000000000002';
    await upload(user, 'ride.gpx', poorer(new Date(ride.startTime!.getTime() - 60_000)));
    const second = await upload(user, 'ride.fit', rideFit);
    expect(second.status).toBe('replaced_streams');
    const [only, ...rest] = await activities(user);
    expect(rest).toHaveLength(0);
    expect(only!.channels).toContain('watts');
    const sources = await env.ctx.db
      .selectFrom('activity_sources')
      .select(['file_name', 'kept', 'reason'])
      .where('activity_id', '=', only!.id)
      .orderBy('id')
      .execute();
    expect(sources.map((s) => [s.file_name, s.kept])).toEqual([
      ['ride.gpx', false],
      ['ride.fit', true],
    ]);
    expect(sources[0]!.reason).toMatch(/^replaced: .*richer/);
    const load = await env.ctx.db
      .selectFrom('daily_load')
      .select(sql<number>`sum(stress)::float8`.as('stress'))
      .where('athlete_id', '=', only!.athlete_id)
      .executeTakeFirstOrThrow();
    expect(load.stress).toBeCloseTo(only!.stress, 6);
  });

  it('a manual entry from an export, then the recorded FIT: one activity, now with the FIT streams', async () => {
    const user = '730000000000000004';
    const athlete = await ensureAthlete(env.ctx.db, user);
    const exportRow = (elapsedS: number): CsvOnlyActivity => ({
      id: '555000111',
      name: 'Turbo (typed in)',
      sport: 'VirtualRide',
      fileName: null,
      startTime: new Date(ride.startTime!.getTime() + 60_000),
      elapsedS,
      movingS: null,
      distanceM: null,
    });
    const manual = await recordDelivery(env.deps, athlete, {
      kind: 'csv',
      row: exportRow(Math.round(streamDurationS(ride.streams))),
      sourceRef: '555000111',
    });
    expect(manual.status).toBe('created');
    const second = await upload(user, 'ride.fit', rideFit);
    expect(second).toMatchObject({ status: 'replaced_streams', activityId: manual.activityId });
    const row = await env.ctx.db
      .selectFrom('activities')
      .select(['manual', 'streams_state', 'source', 'strava_id'])
      .where('id', '=', manual.activityId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      manual: false,
      streams_state: 'stored',
      source: 'file_upload',
      strava_id: '555000111',
    });
    // Importing the same export row again changes nothing.
    const again = await recordDelivery(env.deps, athlete, {
      kind: 'csv',
      row: exportRow(3600),
      sourceRef: '555000111',
    });
    expect(again.status).toBe('already_imported');
  });

  it('outside ±2 min or ±5 % they are two activities', async () => {
    const user = '730000000000000003';
    await upload(user, 'ride.fit', rideFit);
    const late = await upload(user, 'late.gpx', poorer(new Date(ride.startTime!.getTime() + 121_000)));
    expect(late.status).toBe('created');
    const longer = await upload(user, 'longer.gpx', poorer(ride.startTime!, 1.06));
    expect(longer.status).toBe('created');
    const within = await upload(
      user,
      'within.gpx',
      poorer(new Date(ride.startTime!.getTime() + 30_000), 1.04),
    );
    expect(within.status).toBe('duplicate');
    expect(await activities(user)).toHaveLength(3);
  });
});

describe('a Strava id claimed by another athlete’s export', () => {
  let env: Awaited<ReturnType<typeof startServices>>;
  beforeAll(async () => {
    env = await startServices();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('never merges the real owner’s Strava data into the claimant’s activity', async () => {
    // Mallory's export lists Bob's (public) Strava activity id for a file of hers.
    const mallory = await ensureAthlete(env.ctx.db, '730000000000000011');
    const bob = await ensureAthlete(env.ctx.db, '730000000000000012');
    const claimed = await importActivityFile(env.ctx, mallory, {
      source: 'strava_export',
      sourceRef: '987654321',
      fileName: '987654321.gpx',
      parsed: { ...reshape(ride, new Date('2026-03-01T08:00:00Z'), 10), format: 'gpx', name: null },
      stravaId: '987654321',
    });
    const bobsStart = new Date('2026-05-01T08:00:00Z');
    const merged = await env.ctx.db.transaction().execute((trx) =>
      mergeStravaDelivery(
        trx,
        bob.id,
        {
          id: '987654321',
          name: 'Bob private ride',
          sportType: 'Ride',
          startDate: bobsStart,
          startDateLocal: '2026-05-01 08:00:00',
          timezone: 'UTC',
          distanceM: 30_000,
          movingTimeS: 3600,
          elapsedTimeS: 3600,
          elevationGainM: 100,
          manual: false,
          private: true,
          raw: { id: 987654321 },
        },
        { time: { data: [0, 1, 2] }, watts: { data: [1, 2, 3] }, heartrate: { data: [1, 2, 3] } },
      ),
    );
    // Bob's delivery takes the normal Strava path; Mallory's activity keeps her file and loses the id.
    expect(merged).toBeNull();
    const hers = await env.ctx.db
      .selectFrom('activities')
      .select(['athlete_id', 'name', 'strava_id', 'source'])
      .where('id', '=', claimed.activityId)
      .executeTakeFirstOrThrow();
    expect(hers).toMatchObject({ athlete_id: mallory.id, strava_id: null, source: 'strava_export' });
    expect(hers.name).not.toContain('Bob');
  });
});
