import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import { toJson } from '../tables/json.ts';
import type { ForecastUnplanned, PlannedWorkoutRow, PlanTarget, RaceGoalRow } from '../tables/planning.ts';

export interface NewPlan {
  date: string;
  sport: string;
  title: string;
  description?: string | null;
  plannedDurationS?: number | null;
  plannedStress?: number | null;
  target?: PlanTarget | null;
}

/** A plan with what fulfilled it (activity name, stress and moving time), if anything did. */
export interface PlanWithActivity extends PlannedWorkoutRow {
  activity_name: string | null;
  activity_sport: string | null;
  activity_stress: number | null;
  activity_duration_s: number | null;
}

export async function insertPlan(db: Db, athleteId: string, plan: NewPlan): Promise<PlannedWorkoutRow> {
  return db
    .insertInto('planned_workouts')
    .values({
      athlete_id: athleteId,
      date: plan.date,
      sport: plan.sport,
      title: plan.title,
      description: plan.description ?? null,
      planned_duration_s: plan.plannedDurationS ?? null,
      planned_stress: plan.plannedStress ?? null,
      target: plan.target ? toJson(plan.target) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function plansWithActivity(db: Db) {
  return db
    .selectFrom('planned_workouts as p')
    .leftJoin('activities as a', 'a.id', 'p.activity_id')
    .leftJoin('activity_metrics as m', 'm.activity_id', 'p.activity_id')
    .selectAll('p')
    .select([
      'a.name as activity_name',
      'a.sport_type as activity_sport',
      'm.stress as activity_stress',
      sql<number | null>`coalesce(m.moving_s, a.moving_time_s)`.as('activity_duration_s'),
    ]);
}

/** One of the athlete's plans (never another athlete's). */
export function findPlan(db: Db, athleteId: string, planId: string): Promise<PlanWithActivity | undefined> {
  return plansWithActivity(db)
    .where('p.athlete_id', '=', athleteId)
    .where('p.id', '=', planId)
    .executeTakeFirst();
}

/** The athlete's plans from `from` through `to`, by day then creation. */
export function listPlans(db: Db, athleteId: string, from: string, to: string): Promise<PlanWithActivity[]> {
  return plansWithActivity(db)
    .where('p.athlete_id', '=', athleteId)
    .where('p.date', '>=', from)
    .where('p.date', '<=', to)
    .orderBy('p.date')
    .orderBy('p.id')
    .execute();
}

/** Plans for autocomplete: on or after `from`, whose title or sport contains `text`, soonest first. */
export function searchPlans(
  db: Db,
  athleteId: string,
  from: string,
  text: string,
  limit = 25,
): Promise<PlannedWorkoutRow[]> {
  let query = db
    .selectFrom('planned_workouts')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('date', '>=', from);
  const needle = text.trim();
  if (needle) {
    const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('title', 'ilike', pattern),
        eb('sport', 'ilike', pattern),
        eb(sql<string>`to_char(date, 'YYYY-MM-DD Dy')`, 'ilike', pattern),
      ]),
    );
  }
  return query.orderBy('date').orderBy('id').limit(limit).execute();
}

/**
 * Moves a plan to another day: remembers the first date it had and marks it moved. An automatic match
 * belonged to the old day, so it is released (the trigger puts the status back to open).
 */
export async function movePlan(db: Db, athleteId: string, planId: string, date: string): Promise<void> {
  await db
    .updateTable('planned_workouts')
    .set((eb) => ({
      moved_from: eb.fn.coalesce('moved_from', 'date'),
      date,
      status: 'moved',
      activity_id: null,
      matched_by: null,
      updated_at: new Date(),
    }))
    .where('athlete_id', '=', athleteId)
    .where('id', '=', planId)
    .execute();
}

export async function deletePlan(db: Db, athleteId: string, planId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('planned_workouts')
    .where('athlete_id', '=', athleteId)
    .where('id', '=', planId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Links a plan to the activity that fulfilled it (done), or unlinks it (null: open again). */
export async function setPlanActivity(
  db: Db,
  planId: string,
  activityId: string | null,
  matchedBy: 'auto' | 'manual',
): Promise<void> {
  await db
    .updateTable('planned_workouts')
    .set(
      activityId === null
        ? { activity_id: null, matched_by: null, updated_at: new Date() }
        : { activity_id: activityId, matched_by: matchedBy, status: 'done', updated_at: new Date() },
    )
    .where('id', '=', planId)
    .execute();
}

/** The athlete's activities of some days, with the stress and moving time matching compares. */
export function activitiesForMatching(db: Db, athleteId: string, from: string, to: string) {
  return db
    .selectFrom('activities as a')
    .leftJoin('activity_metrics as m', 'm.activity_id', 'a.id')
    .select([
      'a.id',
      'a.name',
      'a.local_date',
      'a.sport_type',
      'm.stress',
      sql<number | null>`coalesce(m.moving_s, a.moving_time_s)`.as('duration_s'),
    ])
    .where('a.athlete_id', '=', athleteId)
    .where('a.local_date', '>=', from)
    .where('a.local_date', '<=', to)
    .orderBy('a.local_date', 'desc')
    .orderBy('a.start_date', 'desc')
    .execute();
}

/** Stress done per local day (sum of the activities' stress), days with activities only. */
export async function doneStressByDay(
  db: Db,
  athleteId: string,
  from: string,
  to: string,
): Promise<{ date: string; stress: number }[]> {
  const rows = await db
    .selectFrom('activities as a')
    .innerJoin('activity_metrics as m', 'm.activity_id', 'a.id')
    .select(['a.local_date as date', sql<number>`sum(m.stress)::float8`.as('stress')])
    .where('a.athlete_id', '=', athleteId)
    .where('a.local_date', '>=', from)
    .where('a.local_date', '<=', to)
    .groupBy('a.local_date')
    .orderBy('a.local_date')
    .execute();
  return rows;
}

/** The plans not yet fulfilled from `from` through `to` (their stress is still to come). */
export function openPlans(db: Db, athleteId: string, from: string, to: string): Promise<PlannedWorkoutRow[]> {
  return db
    .selectFrom('planned_workouts')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .where('activity_id', 'is', null)
    .orderBy('date')
    .orderBy('id')
    .execute();
}

export async function lastOpenPlanDate(db: Db, athleteId: string, from: string): Promise<string | null> {
  const row = await db
    .selectFrom('planned_workouts')
    .select(sql<string | null>`max(date)::text`.as('last'))
    .where('athlete_id', '=', athleteId)
    .where('date', '>=', from)
    .where('activity_id', 'is', null)
    .executeTakeFirst();
  return row?.last ?? null;
}

/** Sets (or replaces, on the same day) a race goal. */
export async function upsertGoal(
  db: Db,
  athleteId: string,
  goal: { date: string; name: string; targetTsb: number | null },
): Promise<RaceGoalRow> {
  return db
    .insertInto('race_goals')
    .values({ athlete_id: athleteId, date: goal.date, name: goal.name, target_tsb: goal.targetTsb })
    .onConflict((oc) =>
      oc.columns(['athlete_id', 'date']).doUpdateSet({ name: goal.name, target_tsb: goal.targetTsb }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Goals on or after `from`, soonest first. */
export function upcomingGoals(db: Db, athleteId: string, from: string): Promise<RaceGoalRow[]> {
  return db
    .selectFrom('race_goals')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('date', '>=', from)
    .orderBy('date')
    .execute();
}

export async function deleteGoal(
  db: Db,
  athleteId: string,
  goalId: string,
): Promise<RaceGoalRow | undefined> {
  return db
    .deleteFrom('race_goals')
    .where('athlete_id', '=', athleteId)
    .where('id', '=', goalId)
    .returningAll()
    .executeTakeFirst();
}

export async function setForecastUnplanned(
  db: Db,
  athleteId: string,
  mode: ForecastUnplanned,
): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ forecast_unplanned: mode, updated_at: new Date() })
    .where('id', '=', athleteId)
    .execute();
}

/** The athlete's plans of one day. */
export function plansOn(db: Db, athleteId: string, date: string): Promise<PlannedWorkoutRow[]> {
  return db
    .selectFrom('planned_workouts')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('date', '=', date)
    .execute();
}

/** The plans an activity fulfils, but for `exceptPlanId`; `auto` only those matched automatically. */
export function plansFulfilledBy(
  db: Db,
  activityId: string,
  options: { exceptPlanId?: string; notOn?: string; auto?: boolean } = {},
): Promise<Pick<PlannedWorkoutRow, 'id' | 'date'>[]> {
  let query = db.selectFrom('planned_workouts').select(['id', 'date']).where('activity_id', '=', activityId);
  if (options.auto) query = query.where('matched_by', '=', 'auto');
  if (options.notOn !== undefined) query = query.where('date', '<>', options.notOn);
  if (options.exceptPlanId !== undefined) query = query.where('id', '<>', options.exceptPlanId);
  return query.execute();
}

/** Which of these activities fulfil a plan on a day other than `date`. */
export async function activitiesFulfillingOtherDays(
  db: Db,
  activityIds: string[],
  date: string,
): Promise<Set<string | null>> {
  if (activityIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('planned_workouts')
    .select('activity_id')
    .where('activity_id', 'in', activityIds)
    .where('date', '<>', date)
    .execute();
  return new Set(rows.map((row) => row.activity_id));
}

/** The athlete's choice that nothing fulfilled the plan: automatic matching leaves it alone. */
export async function markPlanUnmatched(db: Db, planId: string): Promise<void> {
  await db.updateTable('planned_workouts').set({ matched_by: 'none' }).where('id', '=', planId).execute();
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
