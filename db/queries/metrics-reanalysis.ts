import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** The one-time re-analysis of stored activities: its queue of activities and its athletes still to recompute. */

/** How many activities and athletes are left. */
export function reanalysisRemaining(db: Db): Promise<{ activities: number; athletes: number }> {
  return db
    .selectNoFrom([
      sql<number>`(SELECT count(*)::int FROM metrics_reanalysis_queue)`.as('activities'),
      sql<number>`(SELECT count(*)::int FROM metrics_reanalysis_athletes)`.as('athletes'),
    ])
    .executeTakeFirstOrThrow();
}

/** The next `limit` queued activities: by athlete, each athlete's oldest first. */
export function nextQueuedActivities(db: Db, limit: number) {
  return db
    .selectFrom('metrics_reanalysis_queue')
    .select(['activity_id', 'athlete_id'])
    .orderBy('athlete_id')
    .orderBy('start_date')
    .orderBy('activity_id')
    .limit(limit)
    .execute();
}

export async function dequeueActivity(db: Db, activityId: string): Promise<void> {
  await db.deleteFrom('metrics_reanalysis_queue').where('activity_id', '=', activityId).execute();
}

/** Counts a failed attempt at an activity; returns its attempts so far (null when it is not queued). */
export async function recordReanalysisAttempt(
  db: Db,
  activityId: string,
  error: string,
): Promise<number | null> {
  const row = await db
    .updateTable('metrics_reanalysis_queue')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error }))
    .where('activity_id', '=', activityId)
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts ?? null;
}

/**
 * Once per athlete (false when already done): clears the highest heart rate of their queued activities
 * whose streams are still there, so the history's highest is rebuilt from re-analysed values only.
 */
export async function resetQueuedMaxHr(db: Db, athleteId: string): Promise<boolean> {
  const reset = await db
    .updateTable('metrics_reanalysis_athletes')
    .set({ max_hr_reset: true })
    .where('athlete_id', '=', athleteId)
    .where('max_hr_reset', '=', false)
    .executeTakeFirst();
  if (Number(reset.numUpdatedRows) === 0) return false;
  await db
    .updateTable('activity_metrics')
    .set({ max_hr: null })
    .where('athlete_id', '=', athleteId)
    .where('activity_id', 'in', (eb) =>
      eb
        .selectFrom('metrics_reanalysis_queue')
        .innerJoin('activities', 'activities.id', 'metrics_reanalysis_queue.activity_id')
        .select('metrics_reanalysis_queue.activity_id')
        .where('metrics_reanalysis_queue.athlete_id', '=', athleteId)
        .where('activities.streams_state', '!=', 'purged'),
    )
    .execute();
  return true;
}

/** The next athlete whose PMC is still to recompute, or null. */
export async function nextReanalysedAthlete(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('metrics_reanalysis_athletes')
    .select('athlete_id')
    .orderBy('athlete_id')
    .limit(1)
    .executeTakeFirst();
  return row?.athlete_id ?? null;
}

export async function finishReanalysedAthlete(db: Db, athleteId: string): Promise<void> {
  await db.deleteFrom('metrics_reanalysis_athletes').where('athlete_id', '=', athleteId).execute();
}
