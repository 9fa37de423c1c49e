import { sql } from 'kysely';
import { type Db, inTransaction } from '../connect.ts';
import { lockAthlete } from './athletes.ts';

/**
 * Queues the message after a workout that arrived live (webhook, upload). One row per activity, so a
 * webhook storm queues it once; true when this call queued it.
 */
export function queueWorkoutMessage(db: Db, athleteId: string, activityId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // The athlete's row lock first, as every activity writer takes it: the row's foreign keys would
    // otherwise lock the activity before the athlete and deadlock with a concurrent sync of it.
    await lockAthlete(trx, athleteId);
    const row = await trx
      .insertInto('workout_messages')
      .values({ activity_id: activityId, athlete_id: athleteId })
      .onConflict((oc) => oc.column('activity_id').doNothing())
      .returning('activity_id')
      .executeTakeFirst();
    return row !== undefined;
  });
}

/** A claim older than this belongs to a worker that died before sending: it may be claimed again. */
const staleClaimMinutes = 10;

/**
 * Claims every queued message of the athlete at once (several workouts arriving together make one
 * message). Row locks make this exactly-once: a racing worker's update waits, then finds them claimed.
 */
export async function claimWorkoutMessages(db: Db, athleteId: string): Promise<string[]> {
  const rows = await db
    .updateTable('workout_messages')
    .set({ status: 'claimed', claimed_at: new Date() })
    .where('athlete_id', '=', athleteId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'pending'),
        eb.and([
          eb('status', '=', 'claimed'),
          eb('claimed_at', '<', sql<Date>`now() - make_interval(mins => ${staleClaimMinutes})`),
        ]),
      ]),
    )
    .returning('activity_id')
    .execute();
  return rows.map((row) => row.activity_id);
}

export async function finishWorkoutMessages(
  db: Db,
  activityIds: string[],
  status: 'sent' | 'skipped' | 'pending',
): Promise<void> {
  if (activityIds.length === 0) return;
  await db
    .updateTable('workout_messages')
    .set(
      status === 'pending'
        ? { status, claimed_at: null }
        : { status, sent_at: status === 'sent' ? new Date() : null },
    )
    .where('activity_id', 'in', activityIds)
    .where('status', '=', 'claimed')
    .execute();
}

/** What the message says about each workout: the activity, its metrics and the plan it fulfilled. */
export function workoutDetails(db: Db, athleteId: string, activityIds: string[]) {
  return db
    .selectFrom('activities as a')
    .leftJoin('activity_metrics as m', 'm.activity_id', 'a.id')
    .leftJoin('planned_workouts as p', 'p.activity_id', 'a.id')
    .select([
      'a.id',
      'a.name',
      'a.sport_type',
      'a.source',
      'a.local_date',
      'a.start_date',
      'a.moving_time_s',
      'a.distance_m',
      'a.elevation_gain_m',
      'm.stress',
      'm.stress_method',
      'm.np_w',
      'm.intensity',
      'm.avg_hr',
      'm.metrics',
      'p.title as plan_title',
      'p.planned_stress',
      'p.planned_duration_s',
      'p.sport as plan_sport',
    ])
    .where('a.athlete_id', '=', athleteId)
    .where('a.id', 'in', activityIds)
    .orderBy('a.start_date')
    .execute();
}

/**
 * The best peak of each duration (power, grade-adjusted speed) over the athlete's other activities: since
 * `since` and of all time. Keys are the durations in seconds, as stored.
 */
export async function peakBests(
  db: Db,
  athleteId: string,
  exclude: string[],
  since: string,
): Promise<{ channel: 'power' | 'gap_speed'; duration: string; recent: number | null; allTime: number }[]> {
  const result = await sql<{
    channel: 'power' | 'gap_speed';
    duration: string;
    recent: number | null;
    all_time: number;
  }>`
    SELECT p.channel, p.key AS duration,
           max(p.value) FILTER (WHERE a.local_date >= ${since}::date) AS recent,
           max(p.value) AS all_time
    FROM activity_metrics m
    JOIN activities a ON a.id = m.activity_id
    CROSS JOIN LATERAL (
      SELECT 'power' AS channel, e.key, e.value::float8 AS value
      FROM jsonb_each_text(coalesce(m.metrics->'peaks'->'power', '{}'::jsonb)) e
      UNION ALL
      SELECT 'gap_speed', e.key, e.value::float8
      FROM jsonb_each_text(coalesce(m.metrics->'peaks'->'gap_speed', '{}'::jsonb)) e
    ) p
    WHERE m.athlete_id = ${athleteId} AND NOT (m.activity_id = ANY(${exclude}::bigint[]))
      AND p.value IS NOT NULL
    GROUP BY 1, 2`.execute(db);
  return result.rows.map((row) => ({
    channel: row.channel,
    duration: row.duration,
    recent: row.recent,
    allTime: row.all_time,
  }));
}
