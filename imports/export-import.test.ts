import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import type { ParsedActivityFile } from '../activities/activity-file.ts';
import { bossSchema } from '../app/job-runner.ts';
import importCommand from '../bot/commands/import.ts';
import { ensureAthlete } from '../db/queries/athletes.ts';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { jobNames } from '../lib/jobs/job-names.ts';
import { fitToStreams } from '../metrics/fit.ts';
import {
  connectThroughBrowser,
  eventually,
  givenConnectedAthlete,
  givenWebhookSubscription,
  type Harness,
  startHarness,
} from '../test/context.ts';
import { type ExportEntrySpec, reshape, writeSyntheticExport } from '../test/imports/synthetic-export.ts';
import { toGpx, toTcx } from '../test/imports/write-xml.ts';
import { readActivityFile } from './detect.ts';
import { prepareLocalImport, runExportImport } from './export-import.ts';
import { importActivityFile } from './import-file.ts';

const fixtureDir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const fixture = (name: string) => readFileSync(`${fixtureDir}${name}`);
const run = fitToStreams(fixture('fitparse-activity-small-fenix2-run.fit')) as unknown as ParsedActivityFile;
const indoor = fitToStreams(
  fixture('fitparse-sample-activity-indoor-trainer.fit'),
) as unknown as ParsedActivityFile;
const realFits = [
  'garmin-Activity.fit',
  'fitparse-garmin-edge-500-activity.fit',
  'fitparse-nick.fit',
  'fitparse-sample-activity-indoor-trainer.fit',
  'fitparse-compressed-speed-distance.fit',
];

const day = 86_400_000;
const durationOf = (a: ParsedActivityFile) => Number(a.streams.time.at(-1));

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorkers();
  // Strava validates the webhook callback before it creates the subscription.
  await givenWebhookSubscription(h);
  dir = await mkdtemp(join(tmpdir(), 'export-test-'));
});
afterAll(async () => {
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `count` synthetic rides, one a day going back from `from`, alternating GPX and TCX. */
function syntheticRides(count: number, from: Date, idBase: number): ExportEntrySpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(idBase + i),
    name: `Export ride ${i}`,
    type: i % 2 === 0 ? 'Ride' : 'Virtual Ride',
    file: {
      kind: i % 2 === 0 ? 'gpx' : 'tcx',
      activity: reshape(i % 2 === 0 ? run : indoor, new Date(from.getTime() - i * day), 12),
    },
  }));
}

describe('Strava bulk export: upload link, job, duplicates against synced activities', () => {
  it('imports a few hundred activities with names and sports from the CSV, deduplicating', async () => {
    const db = h.database.db;
    const discordUserId = '720000000000000001';
    const stravaAthlete = h.strava.addAthlete();
    const now = h.strava.now();
    // Already on Strava and synced through the API: six rich rides, one with heart rate only.
    const synced = Array.from({ length: 7 }, (_, k) =>
      h.strava.addActivity(stravaAthlete.id, {
        sport: 'Ride',
        durationS: 1800,
        startDate: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 3 - k, 6)),
      }),
    );
    const hrOnly = synced[6]!;
    hrOnly.streams = { time: hrOnly.streams!.time!, heartrate: hrOnly.streams!.heartrate! };
    h.strava.authorizeAs(stravaAthlete.id);
    const connect = await createConnectLink(db, h.ctx.config.publicUrl, discordUserId);
    expect((await connectThroughBrowser(connect.url)).status).toBe(200);
    const athleteId = (await ensureAthlete(db, discordUserId)).id;
    await eventually(() =>
      db
        .selectFrom('sync_runs')
        .select('id')
        .where('athlete_id', '=', athleteId)
        .where('state', '=', 'done')
        .executeTakeFirst(),
    );
    expect(await countBySource(athleteId)).toEqual({ strava_api: 7 });

    // The export: 200 synthetic rides, the real FIT files, the 7 synced rides again (started 40 s later,
    // 2 % longer; half carry their Strava id in the CSV), 3 manual entries and one damaged file.
    const entries: ExportEntrySpec[] = syntheticRides(200, new Date(now.getTime() - 20 * day), 9_000_000);
    realFits.forEach((name, i) => {
      entries.push({
        id: String(8_000_000 + i),
        name: `Real ${name}`,
        type: 'Ride',
        file: { kind: 'fit', bytes: fixture(name) },
      });
    });
    synced.forEach((activity, k) => {
      const base = k === 6 ? indoor : run;
      const stretch = (activity.elapsedTime * 1.02) / durationOf(base);
      entries.push({
        id: k % 2 === 0 ? String(activity.id) : String(7_000_000 + k),
        name: `Same ride ${k}`,
        type: 'Ride',
        file: {
          kind: k % 2 === 0 ? 'tcx' : 'gpx',
          activity: reshape(base, new Date(activity.startDate.getTime() + 40_000), 1, stretch),
        },
      });
    });
    for (let m = 0; m < 3; m++) {
      entries.push({
        id: String(6_000_000 + m),
        name: `Gym ${m}`,
        type: 'Weight Training',
        file: null,
        date: `Jan ${m + 10}, 2024, ${m + 10}:30:00 PM`,
        elapsedS: 2700,
      });
    }
    entries.push({
      id: '5000000',
      name: 'Broken',
      type: 'Run',
      file: { kind: 'raw', name: '5000000.fit.gz', bytes: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]) },
    });
    const zipPath = join(dir, 'export.zip');
    await writeSyntheticExport(zipPath, entries);

    // /import gives a one-time link; the page loads; the ZIP goes up; the job does the rest.
    const reply = await importCommand.execute(
      {
        invoker: { userId: discordUserId, username: 'r', inGuild: true, interactionId: '2' },
        options: {},
        progress: async () => {},
      },
      h.ctx,
    );
    const button = reply.components?.[0]?.[0];
    expect(button?.kind).toBe('link');
    const url = (button as { url: string }).url;
    expect((await fetch(url)).status).toBe(200);
    const upload = await fetch(url, {
      method: 'POST',
      body: readFileSync(zipPath),
      headers: { 'content-type': 'application/zip', 'x-file-name': 'export.zip' },
    });
    expect(upload.status).toBe(202);
    // Single use: the page and the upload refuse the link now.
    expect((await fetch(url)).status).toBe(410);
    expect((await fetch(url, { method: 'POST', body: readFileSync(zipPath) })).status).toBe(404);

    const done = await eventually(
      () =>
        db
          .selectFrom('export_imports')
          .selectAll()
          .where('athlete_id', '=', athleteId)
          .where('state', 'in', ['done', 'failed'])
          .executeTakeFirst(),
      60_000,
      'the import to finish',
    );
    // The 3 manual entries (no file) come from their CSV rows.
    expect(done).toMatchObject({ state: 'done', total: 216, failed: 1, skipped: 0, duplicates: 7 });
    expect(done.imported).toBe(216 - 1 - 7);

    // One activity per workout; the richer streams won each duplicate, and the provenance says so.
    expect(await countBySource(athleteId)).toEqual({ strava_api: 6, strava_export: 205 + 1 + 3 });
    // A manual entry: name, sport, UTC date, durations and distance from the CSV; no streams; metrics.
    const gym = await db
      .selectFrom('activities')
      .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.name',
        'activities.sport_type',
        'activities.start_date',
        'activities.elapsed_time_s',
        'activities.distance_m',
        'activities.manual',
        'activities.streams_state',
        'activities.strava_id',
        'activity_metrics.duration_s',
      ])
      .where('activities.athlete_id', '=', athleteId)
      .where('activities.name', '=', 'Gym 1')
      .executeTakeFirstOrThrow();
    expect(gym).toEqual({
      name: 'Gym 1',
      sport_type: 'WeightTraining',
      start_date: new Date('2024-01-11T23:30:00Z'),
      elapsed_time_s: 2700,
      distance_m: 20_500,
      manual: true,
      streams_state: 'none',
      strava_id: '6000001',
      duration_s: 2700,
    });
    const kept = await db
      .selectFrom('activity_sources')
      .innerJoin('activities', 'activities.id', 'activity_sources.activity_id')
      .select([
        'activities.strava_id',
        'activity_sources.source',
        'activity_sources.kept',
        'activity_sources.reason',
      ])
      .where(
        'activities.strava_id',
        'in',
        synced.map((a) => String(a.id)),
      )
      .execute();
    for (const activity of synced.slice(0, 6)) {
      const rows = kept.filter((r) => r.strava_id === String(activity.id));
      expect(rows.map((r) => [r.source, r.kept]).sort()).toEqual([
        ['strava_api', true],
        ['strava_export', false],
      ]);
      expect(rows.find((r) => !r.kept)?.reason).toMatch(/kept its strava_api streams/);
    }
    const richer = kept.filter((r) => r.strava_id === String(hrOnly.id));
    expect(richer.find((r) => r.kept)?.source).toBe('strava_export');
    expect(richer.find((r) => !r.kept)?.reason).toMatch(
      /replaced: .*kept the strava_export streams, which are richer/,
    );

    // Names and sports come from activities.csv.
    const named = await db
      .selectFrom('activities')
      .select(['name', 'sport_type'])
      .where('strava_id', '=', '9000001')
      .executeTakeFirstOrThrow();
    expect(named).toEqual({ name: 'Export ride 1', sport_type: 'VirtualRide' });

    // The PMC covers every activity's stress.
    const totals = await db
      .selectFrom('activity_metrics')
      .select(sql<number>`sum(stress)::float8`.as('stress'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    const load = await db
      .selectFrom('daily_load')
      .select(sql<number>`sum(stress)::float8`.as('stress'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(load.stress).toBeCloseTo(totals.stress, 3);

    // The athlete hears about it by DM (the notify queue), and the upload's chunks are gone.
    const dms = await sql<{
      kind: string;
    }>`SELECT data->>'kind' AS kind FROM ${sql.raw(`${bossSchema}.job`)} WHERE name = 'discord.notify' AND data->>'discordUserId' = ${discordUserId}`.execute(
      db,
    );
    expect(dms.rows.map((r) => r.kind)).toContain('import_done');
    const chunks = await db
      .selectFrom('export_import_chunks')
      .select('seq')
      .where('import_id', '=', done.id)
      .execute();
    expect(chunks).toHaveLength(0);

    // A later Strava webhook for a workout that came from the export joins it instead of doubling it.
    const late = h.strava.addActivity(stravaAthlete.id, {
      sport: 'Ride',
      durationS: 1200,
      startDate: new Date(now.getTime() - 20 * day - 30_000),
    });
    late.streams = { time: late.streams!.time!, heartrate: late.streams!.heartrate! };
    late.elapsedTime = Math.round(durationOf(reshape(run, new Date(), 12)));
    expect(
      await h.strava.deliver({
        object_type: 'activity',
        object_id: late.id,
        aspect_type: 'create',
        owner_id: stravaAthlete.id,
      }),
    ).toBe(200);
    await eventually(() =>
      db
        .selectFrom('activity_sources')
        .select('id')
        .where('source_ref', '=', String(late.id))
        .executeTakeFirst(),
    );
    expect(await countBySource(athleteId)).toEqual({ strava_api: 6, strava_export: 209 });
    const joined = await db
      .selectFrom('activities')
      .select(['id', 'source'])
      .where('strava_id', '=', String(late.id))
      .executeTakeFirstOrThrow();
    expect(joined.source).toBe('strava_export');

    // Deleting it on Strava detaches the Strava id; the workout from the export stays.
    await h.strava.deliver({
      object_type: 'activity',
      object_id: late.id,
      aspect_type: 'delete',
      owner_id: stravaAthlete.id,
    });
    await eventually(() =>
      db
        .selectFrom('activities')
        .select('id')
        .where('id', '=', joined.id)
        .where('strava_id', 'is', null)
        .executeTakeFirst(),
    );
    expect(await countBySource(athleteId)).toEqual({ strava_api: 6, strava_export: 209 });
  }, 120_000);

  it('a FIT upload and the Strava webhook for the same ride are one activity; richer Strava streams win', async () => {
    const db = h.database.db;
    const discordUserId = '720000000000000005';
    const { strava: stravaAthlete } = await givenConnectedAthlete(h, {
      discordUserId,
      initialSync: 'synced',
    });
    const athlete = await ensureAthlete(db, discordUserId);
    // A heart-rate-only upload (a watch without power)…
    const start = new Date(h.strava.now().getTime() - 5 * day);
    const watch = reshape(run, start, 1);
    const hrOnly = {
      ...watch,
      streams: { time: watch.streams.time, channels: { heartrate: watch.streams.channels.heartrate! } },
    };
    const stored = await importActivityFile(h.ctx, athlete, {
      source: 'file_upload',
      sourceRef: 'watch.tcx',
      fileName: 'watch.tcx',
      parsed: await readActivityFile(Buffer.from(toTcx(hrOnly, 'Biking')), 'watch.tcx'),
    });
    expect(stored.status).toBe('created');
    // …then Strava reports the same ride (a minute later, 3 % longer) with power, speed and GPS.
    const ride = h.strava.addActivity(stravaAthlete.id, {
      sport: 'Ride',
      durationS: Math.round(durationOf(run)),
      startDate: new Date(start.getTime() + 60_000),
    });
    ride.elapsedTime = Math.round(durationOf(run) * 1.03);
    expect(
      await h.strava.deliver({
        object_type: 'activity',
        object_id: ride.id,
        aspect_type: 'create',
        owner_id: stravaAthlete.id,
      }),
    ).toBe(200);
    const merged = await eventually(() =>
      db
        .selectFrom('activities')
        .select(['id', 'source', 'strava_id', 'name'])
        .where('strava_id', '=', String(ride.id))
        .executeTakeFirst(),
    );
    expect(merged).toMatchObject({ id: stored.activityId, source: 'strava_api', name: ride.name });
    expect(await countBySource(athlete.id)).toEqual({ strava_api: 1 });
    const sources = await db
      .selectFrom('activity_sources')
      .select(['source', 'kept', 'reason'])
      .where('activity_id', '=', merged.id)
      .orderBy('id')
      .execute();
    expect(sources.map((s) => [s.source, s.kept])).toEqual([
      ['file_upload', false],
      ['strava_api', true],
    ]);
    expect(sources[1]!.reason).toMatch(/kept the strava_api streams, which are richer/);
  });

  it('refuses an upload that is not a ZIP, and a forged or expired link', async () => {
    const reply = await importCommand.execute(
      {
        invoker: { userId: '720000000000000002', username: 'r', inGuild: false, interactionId: '3' },
        options: {},
        progress: async () => {},
      },
      h.ctx,
    );
    const url = (reply.components![0]![0] as { url: string }).url;
    const notZip = await fetch(url, { method: 'POST', body: Buffer.from('%PDF-1.7 not a zip at all') });
    expect(notZip.status).toBe(400);
    expect(((await notZip.json()) as { message: string }).message).toMatch(/not a ZIP/);
    const forged = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(forged)).status).toBe(410);
    expect((await fetch(`${h.baseUrl}/imports/upload/1.1.${'x'.repeat(43)}`)).status).toBe(410);
  });
});

describe('an interrupted import resumes where it stopped (CLI path, ZIP on disk)', () => {
  it('stops after 20 entries, then finishes without redoing them', async () => {
    const db = h.database.db;
    const athlete = await ensureAthlete(db, '720000000000000003');
    const zipPath = join(dir, 'resume.zip');
    await writeSyntheticExport(zipPath, syntheticRides(60, new Date(Date.UTC(2023, 5, 30, 7)), 4_000_000));
    const first = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    expect(first.resumed).toBe(false);
    const stop = new AbortController();
    let seen = 0;
    await expect(
      runExportImport(h.ctx, first.importId, {
        signal: stop.signal,
        onProgress: () => {
          if (++seen === 20) stop.abort(new Error('worker shutting down'));
        },
      }),
    ).rejects.toThrow(/worker shutting down/);
    const halfway = await db
      .selectFrom('export_imports')
      .selectAll()
      .where('id', '=', first.importId)
      .executeTakeFirstOrThrow();
    expect(halfway).toMatchObject({ state: 'running', imported: 20 });

    const again = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    expect(again).toEqual({ importId: first.importId, resumed: true });
    let resumedEntries = 0;
    const row = await runExportImport(h.ctx, again.importId, { onProgress: () => resumedEntries++ });
    expect(resumedEntries).toBe(40);
    expect(row).toMatchObject({ state: 'done', total: 60, imported: 60, duplicates: 0, failed: 0 });
    expect(await countBySource(athlete.id)).toEqual({ strava_export: 60 });
    const load = await db
      .selectFrom('daily_load')
      .select('date')
      .where('athlete_id', '=', athlete.id)
      .orderBy('date')
      .executeTakeFirstOrThrow();
    expect(load.date).toBe('2023-05-02');

    // Importing the same export again adds nothing.
    const third = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    const repeat = await runExportImport(h.ctx, third.importId);
    expect(repeat).toMatchObject({ imported: 0, duplicates: 60 });
    expect(await countBySource(athlete.id)).toEqual({ strava_export: 60 });
  }, 60_000);

  it('hostile entries inside an export fail one by one; the import finishes', async () => {
    const athlete = await ensureAthlete(h.database.db, '720000000000000006');
    const zipPath = join(dir, 'hostile.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(
      Buffer.from('Activity ID,Activity Name,Activity Type,Filename\n1,Bomb,Ride,activities/1.fit.gz\n'),
      'activities.csv',
    );
    // A gzip bomb (100 MB of zeros in ~100 KB) and an entry that inflates to 30 MB (past the 25 MB cap).
    zip.addBuffer(gzipSync(Buffer.alloc(100 * 1024 * 1024)), 'activities/1.fit.gz', { compress: false });
    zip.addBuffer(Buffer.alloc(30 * 1024 * 1024), 'activities/2.gpx');
    zip.addBuffer(Buffer.from('89504e470d0a1a0a', 'hex'), 'activities/3.fit');
    const out = createWriteStream(zipPath);
    zip.outputStream.pipe(out);
    zip.end();
    await once(out, 'finish');
    const { importId } = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    const row = await runExportImport(h.ctx, importId);
    expect(row).toMatchObject({ state: 'done', total: 3, imported: 0, failed: 3 });
    const messages = await h.database.db
      .selectFrom('export_import_entries')
      .select(['entry_name', 'message'])
      .where('import_id', '=', importId)
      .orderBy('entry_name')
      .execute();
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringMatching(/inflates to more than 64 MB/),
      expect.stringMatching(/inflates to 31457280 bytes/),
      expect.stringMatching(/not a FIT, TCX or GPX file/),
    ]);
  });

  it('the real export layout: BOM, CRLF, full header, .gpx plain, .tcx.gz with leading spaces, NUL names', async () => {
    const athlete = await ensureAthlete(h.database.db, '720000000000000007');
    const zipPath = join(dir, 'real-layout.zip');
    const zip = new yazl.ZipFile();
    const header =
      'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed';
    const rows = [
      '11,"Jun 1, 2024, 7:00:00 AM","Morning run, easy",Run,,1500,4.2,150,20,false,,,activities/11.gpx,70,,1500.0,1480.0,4200.0,4.1',
      '12,"Jun 2, 2024, 7:00:00 AM","Turbo \u0000""VO2""",Virtual Ride,"multi\nline",1800,15,160,40,false,,,activities/12.tcx.gz,70,,1800.0,1800.0,15000.0,12.0',
      // A file whose first point is stamped 70 years early: that point is dropped, the ride kept.
      '13,"Jun 3, 2024, 7:00:00 AM",Broken clock,Ride,,1800,15,,,false,,,activities/13.gpx,70,,1800.0,1800.0,15000.0,12.0',
    ];
    zip.addBuffer(Buffer.from(`\uFEFF${header}\r\n${rows.join('\r\n')}\r\n`), 'activities.csv');
    const gpxRun = toGpx(reshape(run, new Date('2024-06-01T07:00:00Z'), 10), 'Morning run', 'running');
    zip.addBuffer(Buffer.from(gpxRun), 'activities/11.gpx');
    const tcx = `          ${toTcx(reshape(indoor, new Date('2024-06-02T07:00:00Z'), 5), 'Biking')}`;
    zip.addBuffer(gzipSync(tcx), 'activities/12.tcx.gz', { compress: false });
    const clock = reshape(run, new Date('2024-06-03T07:00:00Z'), 20);
    clock.streams.time[0] = -70 * 365 * 86_400;
    zip.addBuffer(Buffer.from(toGpx(clock, 'Broken clock', 'cycling')), 'activities/13.gpx');
    // An entry name with a NUL (Postgres text cannot hold one): stored without it.
    zip.addBuffer(Buffer.from(gpxRun.replaceAll('2024-06-01', '2024-06-04')), 'activities/14\u0000.gpx');
    // A file whose values the database refuses (here by a constraint this test adds): that entry fails,
    // the import goes on.
    zip.addBuffer(
      Buffer.from(gpxRun.replaceAll('2024-06-01', '2024-06-05').replaceAll('Morning run', 'Refused')),
      'activities/15.gpx',
    );
    const out = createWriteStream(zipPath);
    zip.outputStream.pipe(out);
    zip.end();
    await once(out, 'finish');
    const { importId } = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    await sql`ALTER TABLE activities ADD CONSTRAINT test_refused CHECK (name <> 'Refused')`.execute(
      h.database.db,
    );
    const row = await runExportImport(h.ctx, importId).finally(() =>
      sql`ALTER TABLE activities DROP CONSTRAINT test_refused`.execute(h.database.db),
    );
    expect(row).toMatchObject({ state: 'done', total: 5, imported: 4, failed: 1, skipped: 0 });
    const failed = await h.database.db
      .selectFrom('export_import_entries')
      .select(['entry_name', 'message'])
      .where('import_id', '=', importId)
      .where('outcome', '=', 'failed')
      .execute();
    expect(failed).toEqual([
      { entry_name: 'activities/15.gpx', message: 'values in this file could not be stored' },
    ]);
    const stored = await h.database.db
      .selectFrom('activities')
      .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.name',
        'activities.sport_type',
        'activities.strava_id',
        'activities.start_date',
        'activities.elapsed_time_s',
        'activity_metrics.np_w',
      ])
      .where('activities.athlete_id', '=', athlete.id)
      .orderBy('activities.start_date')
      .execute();
    expect(stored.map((a) => [a.name, a.sport_type, a.strava_id])).toEqual([
      ['Morning run, easy', 'Run', '11'],
      ['Turbo "VO2"', 'VirtualRide', '12'],
      ['Broken clock', 'Ride', '13'],
      ['Morning run', 'Run', null],
    ]);
    const clocked = stored[2]!;
    expect(clocked.start_date.getTime()).toBe(
      Date.parse('2024-06-03T07:00:00Z') + Number(clock.streams.time[1]) * 1000,
    );
    expect(clocked.elapsed_time_s).toBeLessThan(2 * 3600);
    expect(stored[1]!.np_w).toBeGreaterThan(0);
  });

  it('two entries of one name, and a CSV row listed twice, are each imported once', async () => {
    const athlete = await ensureAthlete(h.database.db, '720000000000000009');
    const zipPath = join(dir, 'twice.zip');
    const zip = new yazl.ZipFile();
    const gym = '21,"Jul 1, 2024, 6:00:00 PM",Gym,Weight Training,,2700,0,,,false,,,,70,,2700.0,2700.0,0.0,';
    zip.addBuffer(
      Buffer.from(
        `Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed\n${gym}\n${gym}\n`,
      ),
      'activities.csv',
    );
    const gpx = Buffer.from(toGpx(reshape(run, new Date('2024-07-02T07:00:00Z'), 10), 'Run', 'running'));
    zip.addBuffer(gpx, 'activities/22.gpx');
    zip.addBuffer(gpx, 'activities/22.gpx');
    const out = createWriteStream(zipPath);
    zip.outputStream.pipe(out);
    zip.end();
    await once(out, 'finish');
    const { importId } = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    const row = await runExportImport(h.ctx, importId);
    expect(row).toMatchObject({ state: 'done', total: 2, imported: 2, failed: 0 });
    expect(await countBySource(athlete.id)).toEqual({ strava_export: 2 });
  });

  it('an export of one new workout (one multisport file too) gets its message once, like /upload; a bulk export none', async () => {
    const db = h.database.db;
    const single = await ensureAthlete(db, '720000000000000010');
    const onePath = join(dir, 'one.zip');
    await writeSyntheticExport(onePath, syntheticRides(1, new Date(Date.UTC(2024, 2, 1, 7)), 4_200_000));
    const first = await prepareLocalImport(h.ctx, single.id, onePath, null);
    expect(await runExportImport(h.ctx, first.importId)).toMatchObject({ state: 'done', imported: 1 });
    const [activity] = await db
      .selectFrom('activities')
      .select('id')
      .where('athlete_id', '=', single.id)
      .execute();
    const messages = () =>
      db.selectFrom('workout_messages').select('activity_id').where('athlete_id', '=', single.id).execute();
    const jobsOf = (athleteId: string) => h.boss.findJobs(jobNames.workoutMessage, { data: { athleteId } });
    expect(await messages()).toEqual([{ activity_id: activity!.id }]);
    expect(await jobsOf(single.id)).toHaveLength(1);
    // The same export again is a duplicate (nothing new), and a finished import run again is a no-op.
    const again = await prepareLocalImport(h.ctx, single.id, onePath, null);
    expect(await runExportImport(h.ctx, again.importId)).toMatchObject({ imported: 0, duplicates: 1 });
    await runExportImport(h.ctx, first.importId);
    expect(await messages()).toHaveLength(1);
    expect(await jobsOf(single.id)).toHaveLength(1);

    const bulk = await ensureAthlete(db, '720000000000000011');
    const bulkPath = join(dir, 'bulk.zip');
    await writeSyntheticExport(bulkPath, syntheticRides(3, new Date(Date.UTC(2024, 2, 1, 7)), 4_300_000));
    const many = await prepareLocalImport(h.ctx, bulk.id, bulkPath, null);
    expect(await runExportImport(h.ctx, many.importId)).toMatchObject({ state: 'done', imported: 3 });
    const bulkMessages = await db
      .selectFrom('workout_messages')
      .select('activity_id')
      .where('athlete_id', '=', bulk.id)
      .execute();
    expect(bulkMessages).toEqual([]);
    expect(await jobsOf(bulk.id)).toHaveLength(0);

    // One multisport file is one workout: every leg is in its one message, as for /upload.
    const racer = await ensureAthlete(db, '720000000000000012');
    const racePath = join(dir, 'race.zip');
    await writeSyntheticExport(racePath, [
      {
        id: '4400000',
        name: 'Race',
        type: 'Workout',
        file: { kind: 'fit', bytes: fixture('fitparse-activity-large-fenxi2-multisport.fit') },
      },
    ]);
    const race = await prepareLocalImport(h.ctx, racer.id, racePath, null);
    expect(await runExportImport(h.ctx, race.importId)).toMatchObject({ state: 'done', imported: 1 });
    const legs = await db.selectFrom('activities').select('id').where('athlete_id', '=', racer.id).execute();
    expect(legs.length).toBeGreaterThan(1);
    const raceMessages = await db
      .selectFrom('workout_messages')
      .select('activity_id')
      .where('athlete_id', '=', racer.id)
      .orderBy('activity_id')
      .execute();
    expect(raceMessages.map((m) => m.activity_id).sort()).toEqual(legs.map((l) => l.id).sort());
    expect(await jobsOf(racer.id)).toHaveLength(1);
  });

  it('a truncated export ZIP is refused with a reason, not retried forever', async () => {
    const athlete = await ensureAthlete(h.database.db, '720000000000000008');
    const whole = join(dir, 'whole.zip');
    await writeSyntheticExport(whole, syntheticRides(5, new Date(Date.UTC(2023, 0, 30, 7)), 4_100_000));
    const bytes = readFileSync(whole);
    const zipPath = join(dir, 'truncated.zip');
    await writeFile(zipPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { importId } = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    const row = await runExportImport(h.ctx, importId);
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(/not a readable ZIP archive/);
    expect(await countBySource(athlete.id)).toEqual({});
  });

  it('a ZIP without activities.csv is refused as not a Strava export', async () => {
    const athlete = await ensureAthlete(h.database.db, '720000000000000004');
    const zipPath = join(dir, 'other.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('hello'), 'readme.txt');
    const out = createWriteStream(zipPath);
    zip.outputStream.pipe(out);
    zip.end();
    await once(out, 'finish');
    const { importId } = await prepareLocalImport(h.ctx, athlete.id, zipPath, null);
    const row = await runExportImport(h.ctx, importId);
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(/no activities\.csv/);
  });
});

async function countBySource(athleteId: string): Promise<Record<string, number>> {
  const rows = await h.database.db
    .selectFrom('activities')
    .select(['source', sql<number>`count(*)::int`.as('n')])
    .where('athlete_id', '=', athleteId)
    .groupBy('source')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.source, r.n]));
}
