import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Job } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reanalyseStoredActivities } from '../../activities/reanalyse-stored.ts';
import { jobDefinitions } from '../../app/jobs.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { eventually, givenConnectedAthlete, type Harness, startHarness } from '../../test/context.ts';
import { recomputeJob } from '../jobs/recompute.job.ts';
import { streamRetentionJob } from '../jobs/stream-retention.job.ts';
import { startSync } from '../sync/start-sync.ts';

const discordUser = '600000000000000001';
const streamsPath = 'GET /activities/:id/streams';
const noJob = {} as Job<unknown>;

describe('Strava stream retention', () => {
  let h: Harness;
  let athleteId: string;
  let stravaActivityIds: string[];
  let uploadId: string;
  let purgedCount = 0;

  beforeAll(async () => {
    h = await startHarness({ env: { STRAVA_STREAM_RETENTION_DAYS: '7' } });
    await h.startWorkers();
    ({ athleteId } = await givenConnectedAthlete(h, {
      discordUserId: discordUser,
      history: { count: 8, durationS: 900 },
      initialSync: 'synced',
    }));
    const stored = await h.database.db
      .selectFrom('activities')
      .select('id')
      .where('athlete_id', '=', athleteId)
      .where('streams_state', '=', 'stored')
      .orderBy('start_date')
      .execute();
    stravaActivityIds = stored.map((a) => a.id);
    expect(stravaActivityIds.length).toBeGreaterThanOrEqual(4);

    // An uploaded file's streams: the athlete's own data, never purged however old.
    const upload = await h.database.db
      .insertInto('activities')
      .values({
        athlete_id: athleteId,
        source: 'file_upload',
        strava_id: null,
        sport_type: 'Run',
        start_date: new Date('2026-01-10T08:00:00Z'),
        start_date_local: '2026-01-10 09:00:00',
        local_date: '2026-01-10',
        timezone: 'Europe/Paris',
        distance_m: 5000,
        moving_time_s: 1500,
        elapsed_time_s: 1500,
        elevation_gain_m: 10,
        summary: '{}',
        streams_state: 'stored',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    uploadId = upload.id;
    await h.database.db
      .insertInto('activity_streams')
      .values({
        activity_id: uploadId,
        channels: ['time'],
        sample_count: 3,
        data: gzipSync(JSON.stringify({ time: { data: [0, 1, 2] } })),
        fetched_at: new Date(Date.now() - 60 * 86_400_000),
      })
      .execute();
    // Every activity analysed and the PMC computed before the retention runs.
    await recomputeJob.handler({ athleteId, from: 'all', reanalyze: true }, h.ctx, noJob);
  });
  afterAll(async () => h?.stop());

  const snapshot = async () => ({
    metrics: await h.database.db
      .selectFrom('activity_metrics')
      .select(['activity_id', 'stress', 'stress_method', 'np_w', 'avg_hr'])
      .where('athlete_id', '=', athleteId)
      .orderBy('activity_id')
      .execute(),
    load: await h.database.db
      .selectFrom('daily_load')
      .select(['date', 'stress', 'ctl', 'atl', 'tsb'])
      .where('athlete_id', '=', athleteId)
      .orderBy('date')
      .execute(),
  });

  const streamStates = async () =>
    Object.fromEntries(
      (
        await h.database.db
          .selectFrom('activities')
          .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
          .select(['activities.id', 'activities.streams_state', 'activity_streams.activity_id as has'])
          .where('activities.athlete_id', '=', athleteId)
          .execute()
      ).map((row) => [row.id, { state: row.streams_state, stored: row.has !== null }]),
    );

  it('is a daily scheduled job', () => {
    const definition = jobDefinitions.find((d) => d.name === jobNames.streamRetention);
    expect(definition?.schedule?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it('purges Strava API streams older than the retention, keeping metrics, PMC, recent and uploaded streams', async () => {
    // Activities that started more than 7 days ago, their streams fetched just now (a backfill)…
    const cutoff = h.ctx.now().getTime() - 7 * 86_400_000;
    const starts = await h.database.db
      .selectFrom('activities')
      .select(['id', 'start_date'])
      .where('id', 'in', stravaActivityIds)
      .execute();
    const startedLongAgo = starts.filter((a) => a.start_date.getTime() < cutoff).map((a) => a.id);
    expect(startedLongAgo.length).toBeGreaterThan(0);
    // …and a recent activity whose streams were fetched 8 days ago (the clock of the job is the
    // application's): both are past the retention.
    const fetchedLongAgo = stravaActivityIds.filter((id) => !startedLongAgo.includes(id)).slice(0, 1);
    await h.database.db
      .updateTable('activity_streams')
      .set({ fetched_at: new Date(h.ctx.now().getTime() - 8 * 86_400_000) })
      .where('activity_id', 'in', fetchedLongAgo)
      .execute();
    const old = [...startedLongAgo, ...fetchedLongAgo];
    purgedCount = old.length;
    const recent = stravaActivityIds.filter((id) => !old.includes(id));
    expect(recent.length).toBeGreaterThan(0);
    const before = await snapshot();
    expect(before.metrics.length).toBeGreaterThanOrEqual(stravaActivityIds.length);
    expect(before.load.length).toBeGreaterThan(0);

    await streamRetentionJob.handler({}, h.ctx, noJob);

    const states = await streamStates();
    for (const id of old) expect(states[id]).toEqual({ state: 'purged', stored: false });
    for (const id of recent) expect(states[id]).toEqual({ state: 'stored', stored: true });
    expect(states[uploadId]).toEqual({ state: 'stored', stored: true });
    expect(await snapshot()).toEqual(before);

    // Idempotent: a second run finds nothing more to purge.
    await streamRetentionJob.handler({}, h.ctx, noJob);
    expect(await streamStates()).toEqual(states);
  });

  it('keeps streams when no retention is configured', async () => {
    const strava = h.ctx.config.strava!;
    const ctx = { ...h.ctx, config: { ...h.ctx.config, strava: { ...strava, streamRetentionDays: null } } };
    await h.database.db
      .updateTable('activity_streams')
      .set({ fetched_at: new Date(h.ctx.now().getTime() - 400 * 86_400_000) })
      .where('activity_id', '=', stravaActivityIds.at(-1)!)
      .execute();
    await streamRetentionJob.handler({}, ctx, noJob);
    expect((await streamStates())[stravaActivityIds.at(-1)!]).toEqual({ state: 'stored', stored: true });
    await h.database.db
      .updateTable('activity_streams')
      .set({ fetched_at: new Date() })
      .where('activity_id', '=', stravaActivityIds.at(-1)!)
      .execute();
  });

  it('re-analysis waits for the rate-limit window instead of failing, then refetches purged streams', async () => {
    const purged = Object.entries(await streamStates())
      .filter(([, s]) => s.state === 'purged')
      .map(([id]) => id);
    expect(purged.length).toBe(purgedCount);
    const before = await snapshot();

    // The application's read budget for this 15-minute window is spent.
    await h.database.db
      .updateTable('strava_rate_limit')
      .set({ read_15min: sql<number>`limit_read_15min`, overall_15min: sql<number>`limit_overall_15min` })
      .execute();
    const requestsBefore = h.strava.counters.requests[streamsPath] ?? 0;
    await recomputeJob.handler({ athleteId, from: 'all', reanalyze: true }, h.ctx, noJob);
    expect(h.strava.counters.requests[streamsPath] ?? 0).toBe(requestsBefore);
    const waiting = await h.boss.findJobs<{ athleteId: string }>(jobNames.recompute, {
      data: { athleteId },
      queued: true,
    });
    expect(waiting.length).toBe(1);
    expect(waiting[0]!.startAfter.getTime()).toBeGreaterThan(h.ctx.now().getTime());
    await h.boss.cancel(jobNames.recompute, waiting[0]!.id);
    expect((await streamStates())[purged[0]!]).toEqual({ state: 'purged', stored: false });

    // The next window: the re-analysis refetches each purged activity's streams once.
    await h.database.db.updateTable('strava_rate_limit').set({ read_15min: 0, overall_15min: 0 }).execute();
    await recomputeJob.handler({ athleteId, from: 'all', reanalyze: true }, h.ctx, noJob);
    expect((h.strava.counters.requests[streamsPath] ?? 0) - requestsBefore).toBe(purged.length);
    const states = await streamStates();
    for (const id of purged) expect(states[id]).toEqual({ state: 'stored', stored: true });
    expect(states[uploadId]).toEqual({ state: 'stored', stored: true });
    // Same streams, same thresholds: the same numbers.
    const after = await snapshot();
    expect(after.metrics).toEqual(before.metrics);
    expect(after.load.map((d) => d.date)).toEqual(before.load.map((d) => d.date));
    for (const [i, day] of after.load.entries()) expect(day.ctl).toBeCloseTo(before.load[i]!.ctl, 9);
  });

  it('keeps the metrics of a purged activity whose streams cannot be refetched', async () => {
    const target = stravaActivityIds[0]!;
    await h.database.db
      .updateTable('activity_streams')
      .set({ fetched_at: new Date(h.ctx.now().getTime() - 30 * 86_400_000) })
      .where('activity_id', '=', target)
      .execute();
    await streamRetentionJob.handler({}, h.ctx, noJob);
    const before = await snapshot();
    const stravaId = await h.database.db
      .selectFrom('activities')
      .select('strava_id')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    h.strava.deleteActivity(Number(stravaId.strava_id));
    await recomputeJob.handler({ athleteId, from: 'all', reanalyze: true }, h.ctx, noJob);
    expect((await streamStates())[target]).toEqual({ state: 'purged', stored: false });
    expect(await snapshot()).toEqual(before);
  });
  it('the one-time re-analysis marks purged streams, and the next sync fetches them again and re-analyses', async () => {
    const target = stravaActivityIds[1]!;
    await h.database.db
      .updateTable('activity_streams')
      .set({ fetched_at: new Date(h.ctx.now().getTime() - 30 * 86_400_000) })
      .where('activity_id', '=', target)
      .execute();
    await streamRetentionJob.handler({}, h.ctx, noJob);
    expect((await streamStates())[target]).toEqual({ state: 'purged', stored: false });
    const before = await snapshot();
    // As the migration lists it: this activity still to re-analyse.
    await h.database.db
      .insertInto('metrics_reanalysis_queue')
      .columns(['activity_id', 'athlete_id', 'start_date'])
      .expression((eb) =>
        eb.selectFrom('activities').select(['id', 'athlete_id', 'start_date']).where('id', '=', target),
      )
      .execute();
    await h.database.db.insertInto('metrics_reanalysis_athletes').values({ athlete_id: athleteId }).execute();
    const requestsBefore = h.strava.counters.requests[streamsPath] ?? 0;
    const outcome = await reanalyseStoredActivities(h.ctx);
    expect(outcome).toEqual({ state: 'done', analysed: 0, markedForRefetch: 1, failed: 0, pmcRecomputed: 1 });
    expect(h.strava.counters.requests[streamsPath] ?? 0).toBe(requestsBefore);
    const marked = await h.database.db
      .selectFrom('activities')
      .select('streams_refetch_due')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    expect(marked.streams_refetch_due).toBe(true);

    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 1,
      updateExisting: false,
    });
    await eventually(
      () =>
        h.database.db
          .selectFrom('sync_runs')
          .select('id')
          .where('id', '=', runId)
          .where('state', '=', 'done')
          .executeTakeFirst(),
      20_000,
      'the next sync',
    );
    expect((h.strava.counters.requests[streamsPath] ?? 0) - requestsBefore).toBe(1);
    expect((await streamStates())[target]).toEqual({ state: 'stored', stored: true });
    const after = await h.database.db
      .selectFrom('activities')
      .select('streams_refetch_due')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    expect(after.streams_refetch_due).toBe(false);
    // Re-analysed from the same streams under the same thresholds: the same numbers.
    expect((await snapshot()).metrics).toEqual(before.metrics);
  });
});
