import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { migrations } from '../db/migrations/index.ts';
import { toJson } from '../db/tables/json.ts';
import { createLogger } from '../lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../test/context.ts';
import { analyzeStoredActivity, storeStreams } from './activity-store.ts';
import { recomputePmc } from './pmc-store.ts';
import { reanalyseStoredActivities } from './reanalyse-stored.ts';

const now = new Date('2026-03-01T12:00:00Z');

/** A workout of `minutes` at 1 Hz: power (rides) and speed (runs) steady, heart rate climbing to `peak`. */
function streams(kind: 'ride' | 'run', minutes: number, watts: number, peak: number) {
  const n = minutes * 60;
  const time = Array.from({ length: n }, (_, i) => i);
  return {
    time: { data: time },
    heartrate: { data: time.map((i) => Math.round(120 + ((peak - 120) * i) / (n - 1))) },
    ...(kind === 'ride'
      ? { watts: { data: time.map((i) => watts + (i % 60 < 30 ? 20 : -20)) } }
      : { velocity_smooth: { data: time.map(() => 3.2) }, distance: { data: time.map((i) => i * 3.2) } }),
  };
}

interface Workout {
  athlete: 0 | 1;
  day: string;
  sport: string;
  streams: ReturnType<typeof streams> | null;
  /** Retention purged its streams: its metrics are what it had. */
  purged?: boolean;
  /** What the metrics said under the old rules (a run-pace IF on a ride, an HR of 254 bpm...). */
  old: { stress: number; method: 'power' | 'pace' | 'hr'; intensity: number | null; maxHr: number | null };
}

const workouts: Workout[] = [
  {
    athlete: 0,
    day: '2026-01-05',
    sport: 'Ride',
    streams: streams('ride', 40, 200, 182),
    old: { stress: 1186, method: 'pace', intensity: 2.44, maxHr: 254 },
  },
  {
    athlete: 0,
    day: '2026-01-07',
    sport: 'Run',
    streams: streams('run', 30, 0, 176),
    old: { stress: 12, method: 'hr', intensity: 0.5, maxHr: 176 },
  },
  {
    athlete: 0,
    day: '2026-01-08',
    sport: 'Ride',
    streams: null,
    purged: true,
    old: { stress: 44, method: 'power', intensity: 0.7, maxHr: 150 },
  },
  {
    athlete: 0,
    day: '2026-01-12',
    sport: 'Ride',
    streams: streams('ride', 60, 230, 188),
    old: { stress: 5, method: 'power', intensity: 0.3, maxHr: 188 },
  },
  {
    athlete: 0,
    day: '2026-01-12',
    sport: 'Run',
    streams: streams('run', 20, 0, 192),
    old: { stress: 300, method: 'pace', intensity: 1.9, maxHr: 192 },
  },
  {
    athlete: 0,
    day: '2026-02-02',
    sport: 'Ride',
    streams: streams('ride', 45, 260, 185),
    old: { stress: 1, method: 'power', intensity: 0.1, maxHr: 185 },
  },
  {
    athlete: 1,
    day: '2026-01-20',
    sport: 'Ride',
    streams: streams('ride', 30, 150, 170),
    old: { stress: 999, method: 'pace', intensity: 3, maxHr: 250 },
  },
  {
    athlete: 1,
    day: '2026-02-10',
    sport: 'Run',
    streams: streams('run', 50, 0, 181),
    old: { stress: 2, method: 'hr', intensity: null, maxHr: 181 },
  },
];
const analysable = workouts.filter((w) => !w.purged).length;

/** The two athletes and their thresholds (no max HR set: the history's highest stands in). */
async function seedAthletes(db: Db): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, user] of ['670000000000000001', '670000000000000002'].entries()) {
    const row = await db
      .insertInto('athletes')
      .values({ discord_user_id: user, timezone: 'UTC', sex: i === 0 ? 'male' : 'female' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('athlete_thresholds')
      .values([
        { athlete_id: row.id, kind: 'ftp', value: 250 + i * 20, effective_date: '2026-01-01' },
        { athlete_id: row.id, kind: 'lthr', value: 168, effective_date: '2026-01-01' },
        { athlete_id: row.id, kind: 'ftp', value: 265, effective_date: '2026-02-01' },
      ])
      .execute();
    ids.push(row.id);
  }
  return ids;
}

/** Inserts the workouts; `withOldMetrics` also stores what the old rules made of them. */
async function seedActivities(db: Db, athletes: string[], withOldMetrics: boolean): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, w] of workouts.entries()) {
    const start = new Date(`${w.day}T07:00:00Z`);
    start.setUTCMinutes(i);
    const row = await db
      .insertInto('activities')
      .values({
        athlete_id: athletes[w.athlete]!,
        source: 'strava_api',
        strava_id: String(9_000_000 + i),
        sport_type: w.sport,
        start_date: start,
        start_date_local: start.toISOString().slice(0, 19),
        local_date: w.day,
        elapsed_time_s: 3600,
        moving_time_s: 3000,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
    if (w.streams) await storeStreams(db, row.id, w.streams);
    if (w.purged)
      await db.updateTable('activities').set({ streams_state: 'purged' }).where('id', '=', row.id).execute();
    if (withOldMetrics || w.purged) {
      await db
        .insertInto('activity_metrics')
        .values({
          activity_id: row.id,
          athlete_id: athletes[w.athlete]!,
          stress: w.old.stress,
          stress_method: w.old.method,
          duration_s: 3600,
          moving_s: 3000,
          np_w: null,
          intensity: w.old.intensity,
          avg_hr: 140,
          max_hr: w.old.maxHr,
          decoupling_pct: null,
          metrics: toJson({ rules: 'old', hr: { max: w.old.maxHr } }),
          thresholds_used: toJson({}),
        })
        .execute();
    }
  }
  return ids;
}

/** A database as it was before the re-analysis migration, holding activities analysed under old rules. */
async function databaseWithOldMetrics(): Promise<{ database: TestDatabase; activityIds: string[] }> {
  const database = await createTestDatabase();
  await sql`DROP SCHEMA public CASCADE`.execute(database.db);
  await sql`CREATE SCHEMA public`.execute(database.db);
  const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
  const before = await migrator.migrateTo('2026-12-01T1610-athlete-max-hr-seen');
  expect(before.error).toBeUndefined();
  const athletes = await seedAthletes(database.db);
  const activityIds = await seedActivities(database.db, athletes, true);
  // A PMC from the old stress, to be replaced.
  await database.db
    .insertInto('daily_load')
    .values({
      athlete_id: athletes[0]!,
      date: '2026-01-05',
      stress: 1186,
      ctl: 28,
      atl: 150,
      tsb: 0,
      ramp: 28,
    })
    .execute();
  const applied = await migrateToLatest(database.db);
  expect(applied.applied).toContain('2026-12-01T1620-reanalyse-stored-activities');
  return { database, activityIds };
}

/** What a fresh import of the same workouts, oldest first, stores: the reference. */
async function freshComputation(): Promise<{ database: TestDatabase; activityIds: string[] }> {
  const database = await createTestDatabase();
  const athletes = await seedAthletes(database.db);
  const activityIds = await seedActivities(database.db, athletes, false);
  const order = workouts
    .map((w, i) => ({ w, id: activityIds[i]! }))
    .filter(({ w }) => !w.purged)
    .sort((a, b) => a.w.athlete - b.w.athlete || a.w.day.localeCompare(b.w.day));
  for (const { id } of order) await analyzeStoredActivity(database.db, id);
  for (const athlete of athletes) await recomputePmc(database.db, athlete, null, now);
  return { database, activityIds };
}

async function storedResults(db: Db, activityIds: string[]) {
  const metrics = [];
  for (const id of activityIds) {
    const row = await db
      .selectFrom('activity_metrics')
      .select(['stress', 'stress_method', 'intensity', 'max_hr', 'metrics', 'thresholds_used'])
      .where('activity_id', '=', id)
      .executeTakeFirstOrThrow();
    metrics.push(row);
  }
  const pmc = await db
    .selectFrom('daily_load')
    .innerJoin('athletes', 'athletes.id', 'daily_load.athlete_id')
    .select(['athletes.discord_user_id', 'date', 'stress', 'ctl', 'atl', 'tsb', 'ramp'])
    .orderBy('athletes.discord_user_id')
    .orderBy('date')
    .execute();
  const seen = await db
    .selectFrom('athletes')
    .select(['discord_user_id', 'max_hr_seen'])
    .orderBy('discord_user_id')
    .execute();
  return { metrics, pmc, seen };
}

function logCollector() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

/** Damages an activity's stored streams (no longer gzip), as a bad write would: its analysis fails. */
async function corruptStreams(db: Db, activityId: string): Promise<void> {
  await db
    .updateTable('activity_streams')
    .set({ data: Buffer.from('not gzip') })
    .where('activity_id', '=', activityId)
    .execute();
}

/** When each activity's metrics were last written: a re-analysis that redid one would move it. */
async function computedAt(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('activity_metrics').select(['activity_id', 'computed_at']).execute();
  return new Map(rows.map((row) => [row.activity_id, row.computed_at.getTime()]));
}

describe('one-time re-analysis of stored activities under the current rules', () => {
  let fresh: { database: TestDatabase; activityIds: string[] };
  let reference: Awaited<ReturnType<typeof storedResults>>;
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    fresh = await freshComputation();
    databases.push(fresh.database);
    reference = await storedResults(fresh.database.db, fresh.activityIds);
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('re-analyses every activity from its stored streams, marks purged ones for refetch, and recomputes each PMC once', async () => {
    const { database, activityIds } = await databaseWithOldMetrics();
    databases.push(database);
    const { lines, logger } = logCollector();
    const outcome = await reanalyseStoredActivities({ db: database.db, logger, now: () => now });
    expect(outcome).toEqual({
      state: 'done',
      analysed: analysable,
      markedForRefetch: 1,
      failed: 0,
      pmcRecomputed: 2,
    });

    const result = await storedResults(database.db, activityIds);
    expect(result).toEqual(reference);
    // The old numbers are gone: no run-pace IF on a ride, no 254 bpm standing in for max HR.
    expect(result.metrics[0]).toMatchObject({ stress_method: 'power' });
    expect(result.metrics[0]!.stress).not.toBe(1186);
    expect(result.seen[0]!.max_hr_seen).toBe(192);
    expect(result.pmc.find((d) => d.date === '2026-01-05')!.stress).toBe(result.metrics[0]!.stress);

    const purged = await database.db
      .selectFrom('activities')
      .select(['streams_refetch_due'])
      .where('id', '=', activityIds[2]!)
      .executeTakeFirstOrThrow();
    expect(purged.streams_refetch_due).toBe(true);
    expect(result.metrics[2]).toMatchObject({ stress: 44, stress_method: 'power', intensity: 0.7 });

    const messages = lines.map((line) => line.msg);
    expect(messages[0]).toBe('re-analysing stored activities under the current metric rules');
    expect(lines[0]).toMatchObject({ activities: workouts.length, athletes: 2 });
    expect(messages.at(-1)).toBe('stored activities re-analysed; every PMC recomputed');

    // It runs once: afterwards there is nothing left to do.
    const written = await computedAt(database.db);
    const second = await reanalyseStoredActivities({ db: database.db, logger, now: () => now });
    expect(second).toEqual({ state: 'idle', analysed: 0, markedForRefetch: 0, failed: 0, pmcRecomputed: 0 });
    expect(await computedAt(database.db)).toEqual(written);
  });

  it('resumes after a crash without redoing what was done', async () => {
    const { database, activityIds } = await databaseWithOldMetrics();
    databases.push(database);
    const { logger } = logCollector();
    const deps = { db: database.db, logger, now: () => now };
    // The fourth activity to analyse (the run of 2026-01-12) fails mid-way, as a crash would.
    await corruptStreams(database.db, activityIds[4]!);
    await expect(reanalyseStoredActivities(deps)).rejects.toThrow(/incorrect header check/);
    // Three analysed and the purged one marked before the crash; the fourth rolled back.
    const left = await database.db
      .selectFrom('metrics_reanalysis_queue')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(workouts.length - 4);

    const written = await computedAt(database.db);
    await storeStreams(database.db, activityIds[4]!, workouts[4]!.streams);
    const outcome = await reanalyseStoredActivities(deps);
    // The three analysed before the crash are not analysed again.
    const rewritten = await computedAt(database.db);
    for (const index of [0, 1, 3]) {
      expect(rewritten.get(activityIds[index]!)).toBe(written.get(activityIds[index]!));
    }
    expect(outcome).toEqual({
      state: 'done',
      analysed: analysable - 3,
      markedForRefetch: 0,
      failed: 0,
      pmcRecomputed: 2,
    });
    expect(await storedResults(database.db, activityIds)).toEqual(reference);
  });

  it('stops at its deadline and goes on from there in the next slice', async () => {
    const { database, activityIds } = await databaseWithOldMetrics();
    databases.push(database);
    const { logger } = logCollector();
    const deps = { db: database.db, logger, now: () => now };
    const first = await reanalyseStoredActivities(deps, { deadline: Date.now() - 1 });
    expect(first).toEqual({ state: 'more', analysed: 0, markedForRefetch: 0, failed: 0, pmcRecomputed: 0 });
    const rest = await reanalyseStoredActivities(deps);
    expect(rest.state).toBe('done');
    expect(await storedResults(database.db, activityIds)).toEqual(reference);
  });
  it('an activity that fails every time is given up after a few attempts, keeping its metrics; the rest goes on', async () => {
    const { database, activityIds } = await databaseWithOldMetrics();
    databases.push(database);
    const { lines, logger } = logCollector();
    // The 40-minute ride of 2026-01-05 cannot be analysed, whatever the attempt: its streams are damaged.
    await corruptStreams(database.db, activityIds[0]!);
    const deps = { db: database.db, logger, now: () => now };
    for (let attempt = 1; attempt < 3; attempt++) {
      await expect(reanalyseStoredActivities(deps)).rejects.toThrow(/incorrect header check/);
    }
    const outcome = await reanalyseStoredActivities(deps);
    expect(outcome).toEqual({
      state: 'done',
      analysed: analysable - 1,
      markedForRefetch: 1,
      failed: 1,
      pmcRecomputed: 2,
    });
    const kept = await database.db
      .selectFrom('activity_metrics')
      .select(['stress', 'stress_method'])
      .where('activity_id', '=', activityIds[0]!)
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ stress: 1186, stress_method: 'pace' });
    expect(lines.some((line) => line.level === 50 && line.activityId === activityIds[0])).toBe(true);
    // The others are as a fresh import makes them.
    const result = await storedResults(database.db, activityIds);
    expect(result.metrics.slice(3)).toEqual(reference.metrics.slice(3));
  });
});
