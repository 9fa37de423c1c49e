import { type Db, inSavepoint, inTransaction } from '../db/connect.ts';
import { findActivity } from '../db/queries/activities.ts';
import {
  activitiesForMatching,
  activitiesFulfillingOtherDays,
  findPlan,
  markPlanUnmatched,
  plansFulfilledBy,
  plansOn,
  setPlanActivity,
} from '../db/queries/planning.ts';
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
    await inSavepoint(db, 'plan_match', work);
  } catch (error) {
    logger.warn({ err: error, ...context }, failure);
  }
}

async function matchActivity(db: Db, activityId: string): Promise<void> {
  const activity = await findActivity(db, activityId);
  if (!activity) return;
  // An automatic match made when the activity was on another day (its date changed on Strava) is stale.
  const stale = await plansFulfilledBy(db, activityId, { auto: true, notOn: activity.local_date });
  for (const plan of stale) await setPlanActivity(db, plan.id, null, 'auto');
  await rematchDay(db, activity.athlete_id, activity.local_date);
  for (const date of new Set(stale.map((p) => p.date))) await rematchDay(db, activity.athlete_id, date);
}

/** Re-runs automatic matching for one day of one athlete and writes the changes. */
export async function rematchDay(db: Db, athleteId: string, date: string): Promise<number> {
  const [plans, activities] = await Promise.all([
    plansOn(db, athleteId, date),
    activitiesForMatching(db, athleteId, date, date),
  ]);
  if (plans.length === 0) return 0;
  // An activity the athlete linked to a plan of another day is taken.
  const takenElsewhere = await activitiesFulfillingOtherDays(
    db,
    activities.map((a) => a.id),
    date,
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
      const previous = await plansFulfilledBy(trx, activityId, { exceptPlanId: planId });
      for (const plan of previous) {
        await setPlanActivity(trx, plan.id, null, 'manual');
        freedDays.push(plan.date);
      }
    }
    const current = await findPlan(trx, athleteId, planId);
    if (!current) return;
    if (current.activity_id !== null && current.activity_id !== activityId) {
      await setPlanActivity(trx, planId, null, 'manual');
    }
    if (activityId !== null) await setPlanActivity(trx, planId, activityId, 'manual');
    // "None" is a choice too: automatic matching must not pair the plan again on the next sync.
    else await markPlanUnmatched(trx, planId);
    for (const date of new Set(freedDays)) await rematchDay(trx, athleteId, date);
  });
}

// The athlete's choice for a plan is dropped by a query of its own; the plan commands import it from here.
export { releaseHandMatch } from '../db/queries/planning.ts';
