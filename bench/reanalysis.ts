import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { analyzeStoredActivity, storeStreams } from '../activities/activity-store.ts';
import { analyzeActivity } from '../activities/analyzer.ts';
import { connectDb, type Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createScratchDatabase, percentile, round } from './bench-app.ts';

/** History lengths measured, in years of one activity a day. */
const years = [1, 3, 10] as const;
/** Activities re-analysed per history length (spread over it), after one untimed warm-up pass. */
const sampled = 40;
/** Timed passes over the sampled activities. */
const rounds = 3;

/**
 * Per-activity re-analysis cost (load streams and thresholds, analyse a 1 h ride, store its metrics) at 1,
 * 3 and 10 years of stored history, on a scratch database. It must not grow with history: the history's
 * highest heart rate is kept on the athlete, not scanned over every stored activity per analysis. The
 * scan it replaced is timed too, for comparison.
 */
export async function run(): Promise<Record<string, unknown>> {
  const loadAtStart = loadavg()[0] ?? 0;
  const scratch = await scratchDatabase();
  try {
    const db = scratch.db;
    const streams = rideStreams();
    // A realistic stored metrics document (power curve, peaks, zones): what the old scan read per row.
    const metrics = analyzeActivity({
      streams,
      sport: 'Ride',
      thresholds: { ftp: 250, lthr: 165 },
      sex: 'male',
      historyMaxHr: null,
      movingTimeS: null,
      elapsedTimeS: null,
      distanceM: null,
    });
    // Every history is stored before anything is timed, and the rounds alternate between them, so the
    // tables are the same size and a busy moment on a shared machine falls on all of them alike.
    const histories: { y: number; athleteId: string; picked: string[]; times: number[]; scans: number[] }[] =
      [];
    for (const y of years) {
      const athleteId = await seedHistory(db, `66000000000000000${y}`, y * 365, metrics.metrics);
      const ids = await db
        .selectFrom('activities')
        .select('id')
        .where('athlete_id', '=', athleteId)
        .orderBy('start_date')
        .execute();
      const picked = Array.from(
        { length: sampled },
        (_, i) => ids[Math.floor((i * ids.length) / sampled)]!.id,
      );
      for (const id of picked) await storeStreams(db, id, streams);
      histories.push({ y, athleteId, picked, times: [], scans: [] });
    }
    await sql`ANALYZE`.execute(db);
    for (const h of histories) for (const id of h.picked) await analyzeStoredActivity(db, id);
    for (let pass = 0; pass < rounds; pass++) {
      for (let i = 0; i < sampled; i++) {
        for (const h of histories) {
          const started = performance.now();
          await analyzeStoredActivity(db, h.picked[i]!);
          h.times.push(performance.now() - started);
        }
      }
      for (const h of histories) {
        const started = performance.now();
        await db
          .selectFrom('activity_metrics')
          .select(sql<number | null>`max((metrics->'hr'->>'max')::float8)`.as('max_hr'))
          .where('athlete_id', '=', h.athleteId)
          .executeTakeFirst();
        h.scans.push(performance.now() - started);
      }
    }
    const byYears: Record<string, unknown> = {};
    for (const h of histories) {
      h.times.sort((a, b) => a - b);
      h.scans.sort((a, b) => a - b);
      byYears[`${h.y}y`] = {
        activities: h.y * 365,
        per_activity_ms_p50: round(percentile(h.times, 50), 2),
        per_activity_ms_p90: round(percentile(h.times, 90), 2),
        replaced_history_scan_ms_p50: round(percentile(h.scans, 50), 2),
      };
    }
    const p50 = (key: string) => (byYears[key] as { per_activity_ms_p50: number }).per_activity_ms_p50;
    return {
      host: { load_1m_at_start: round(loadAtStart, 2) },
      database: scratch.kind,
      activity: '1 h ride at 1 Hz, power and heart rate',
      by_history: byYears,
      ten_over_one_year: round(p50('10y') / p50('1y'), 2),
      targets: { ten_over_one_year_max: 1.3 },
    };
  } finally {
    await scratch.stop();
  }
}

/** One activity a day for `count` days before 2026-11-30, each with stored metrics (no streams). */
async function seedHistory(
  db: Db,
  discordUserId: string,
  count: number,
  metrics: Record<string, unknown>,
): Promise<string> {
  const athlete = await db
    .insertInto('athletes')
    .values({ discord_user_id: discordUserId })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('athlete_thresholds')
    .values([
      { athlete_id: athlete.id, kind: 'ftp', value: 250, effective_date: '2016-01-01' },
      { athlete_id: athlete.id, kind: 'lthr', value: 165, effective_date: '2016-01-01' },
    ])
    .execute();
  await sql`
    INSERT INTO activities (athlete_id, source, name, sport_type, start_date, start_date_local, local_date,
      elapsed_time_s, streams_state)
    SELECT ${athlete.id}, 'file_upload', 'Ride', 'Ride', (d + time '07:00') AT TIME ZONE 'UTC', d + time '07:00',
      d::date, 3600, 'none'
    FROM generate_series(date '2026-11-30' - ${count - 1}::int, date '2026-11-30', interval '1 day') AS d`.execute(
    db,
  );
  await sql`
    INSERT INTO activity_metrics (activity_id, athlete_id, stress, stress_method, duration_s, moving_s, np_w,
      intensity, avg_hr, max_hr, metrics, thresholds_used)
    SELECT id, athlete_id, 60, 'power', 3600, 3600, 220, 0.88, 150, 150 + (id % 30), ${JSON.stringify(metrics)}::jsonb, '{}'::jsonb
    FROM activities WHERE athlete_id = ${athlete.id}`.execute(db);
  return athlete.id;
}

/** A 1 h ride at 1 Hz: power in 5-minute steps, heart rate following it. */
function rideStreams(): Record<string, unknown> {
  const time = Array.from({ length: 3600 }, (_, i) => i);
  const watts = time.map((i) => 180 + ((Math.floor(i / 300) * 37) % 120) + (i % 7));
  return {
    time: { data: time },
    watts: { data: watts },
    heartrate: { data: watts.map((w, i) => Math.round(110 + w / 5 + i / 200)) },
    cadence: { data: time.map(() => 88) },
    velocity_smooth: { data: watts.map((w) => w / 25) },
    distance: { data: time.map((i) => i * 9) },
  };
}

/** A migrated scratch database (bench-app's: BENCH_DATABASE_URL's server, else an embedded one). */
async function scratchDatabase(): Promise<{ db: Db; kind: string; stop: () => Promise<void> }> {
  const scratch = await createScratchDatabase();
  const database = connectDb(scratch.url, { max: 4 });
  await migrateToLatest(database.db);
  return {
    db: database.db,
    kind: scratch.server,
    stop: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}
