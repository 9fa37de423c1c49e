import { sql } from 'kysely';
import { type Db, inTransaction } from '../db/connect.ts';
import { activitiesForMatching, setPlanActivity } from '../db/queries/planning.ts';
import type { Logger } from '../lib/logger.ts';
import { matchDay } from './matching.ts';

/**
 * Called by the ingest pipeline after an activity's metrics are stored: pairs it (and the other
 * activities of its day) with that day's plans. Never throws: a planning problem must not fail a sync.
 * Inside the caller's transaction it runs under a savepoint, so a failure here leaves the sync's own
 * writes intact.
 */
export async function matchActivityToPlan(db: Db, activityId: string, logger: Logger): Promise<void> {
  await tolerant(
    db,
    logger,
    'matching the activity to the plan failed; the sync goes on',
    { activityId },
    (trx) => matchActivity(trx, activityId),
  );
}

/**
 * After an activity was deleted: the plan it fulfilled is open again (the trigger), and another activity
 * of that day may fit it. Never throws, like `matchActivityToPlan`.
 */
export async function rematchDayAfterDelete(
  db: Db,
  athleteId: string,
  date: string,
  logger: Logger,
): Promise<void> {
  await tolerant(
    db,
    logger,
    'matching the day to the plan again failed; the delete goes on',
    { athleteId, date },
    (trx) => rematchDay(trx, athleteId, date).then(() => {}),
  );
}

async function tolerant(
  db: Db,
  logger: Logger,
  failure: string,
  context: Record<string, string>,
  work: (db: Db) => Promise<void>,
): Promise<void> {
  try {
    if (db.isTransaction) {
      await sql`SAVEPOINT plan_match`.execute(db);
      try {
        await work(db);
        await sql`RELEASE SAVEPOINT plan_match`.execute(db);
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT plan_match`.execute(db);
        throw error;
      }
    } else {
      await db.transaction().execute((trx) => work(trx));
    }
  } catch (error) {
    logger.warn({ err: error, ...context }, failure);
  }
}

async function matchActivity(db: Db, activityId: string): Promise<void> {
  const activity = await db
    .selectFrom('activities')
    .select(['athlete_id', 'local_date'])
    .where('id', '=', activityId)
    .executeTakeFirst();
  if (!activity) return;
  // An automatic match made when the activity was on another day (its date changed on Strava) is stale.
  const stale = await db
    .selectFrom('planned_workouts')
    .select(['id', 'date'])
    .where('activity_id', '=', activityId)
    .where('matched_by', '=', 'auto')
    .where('date', '<>', activity.local_date)
    .execute();
  for (const plan of stale) await setPlanActivity(db, plan.id, null, 'auto');
  await rematchDay(db, activity.athlete_id, activity.local_date);
  for (const date of new Set(stale.map((p) => p.date))) await rematchDay(db, activity.athlete_id, date);
}

/** Re-runs automatic matching for one day of one athlete and writes the changes. */
export async function rematchDay(db: Db, athleteId: string, date: string): Promise<number> {
  const [plans, activities] = await Promise.all([
    db
      .selectFrom('planned_workouts')
      .select(['id', 'date', 'sport', 'planned_stress', 'planned_duration_s', 'activity_id', 'matched_by'])
      .where('athlete_id', '=', athleteId)
      .where('date', '=', date)
      .execute(),
    activitiesForMatching(db, athleteId, date, date),
  ]);
  if (plans.length === 0) return 0;
  // An activity the athlete linked to a plan of another day is taken.
  const ids = activities.map((a) => a.id);
  const takenElsewhere = new Set(
    ids.length === 0
      ? []
      : (
          await db
            .selectFrom('planned_workouts')
            .select('activity_id')
            .where('activity_id', 'in', ids)
            .where('date', '<>', date)
            .execute()
        ).map((row) => row.activity_id),
  );
  const wanted = matchDay(
    plans.map((p) => ({
      id: p.id,
      date: p.date,
      sport: p.sport,
      plannedStress: p.planned_stress,
      plannedDurationS: p.planned_duration_s,
      activityId: p.activity_id,
      matchedBy: p.matched_by,
    })),
    activities
      .filter((a) => !takenElsewhere.has(a.id))
      .map((a) => ({
        id: a.id,
        localDate: a.local_date,
        sportType: a.sport_type,
        stress: a.stress,
        durationS: a.duration_s,
      })),
  );
  const changes = plans.filter((p) => wanted.has(p.id) && wanted.get(p.id) !== p.activity_id);
  // Release first, then link: an activity can fulfil one plan only (a unique column).
  for (const plan of changes) if (plan.activity_id !== null) await setPlanActivity(db, plan.id, null, 'auto');
  for (const plan of changes) {
    const activityId = wanted.get(plan.id) ?? null;
    if (activityId !== null) await setPlanActivity(db, plan.id, activityId, 'auto');
  }
  return changes.length;
}

/**
 * The athlete's own choice: this plan was fulfilled by that activity (or by nothing). The activity leaves
 * any other plan it fulfilled, and the day that plan is on is matched again.
 */
export async function matchPlanByHand(
  db: Db,
  athleteId: string,
  planId: string,
  activityId: string | null,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const freedDays: string[] = [];
    if (activityId !== null) {
      const previous = await trx
        .selectFrom('planned_workouts')
        .select(['id', 'date'])
        .where('activity_id', '=', activityId)
        .where('id', '<>', planId)
        .execute();
      for (const plan of previous) {
        await setPlanActivity(trx, plan.id, null, 'manual');
        freedDays.push(plan.date);
      }
    }
    const current = await trx
      .selectFrom('planned_workouts')
      .select(['date', 'activity_id'])
      .where('id', '=', planId)
      .where('athlete_id', '=', athleteId)
      .executeTakeFirst();
    if (!current) return;
    if (current.activity_id !== null && current.activity_id !== activityId) {
      await setPlanActivity(trx, planId, null, 'manual');
    }
    if (activityId !== null) await setPlanActivity(trx, planId, activityId, 'manual');
    // "None" is a choice too: automatic matching must not pair the plan again on the next sync.
    else
      await trx
        .updateTable('planned_workouts')
        .set({ matched_by: 'none' })
        .where('id', '=', planId)
        .execute();
    for (const date of new Set(freedDays)) await rematchDay(trx, athleteId, date);
  });
}

/** Drops the athlete's choice for a plan (a hand-made link or "none"), leaving it to automatic matching. */
export async function releaseHandMatch(db: Db, planId: string): Promise<void> {
  await db
    .updateTable('planned_workouts')
    .set({ activity_id: null, matched_by: null, updated_at: new Date() })
    .where('id', '=', planId)
    .where('matched_by', 'in', ['manual', 'none'])
    .execute();
}
