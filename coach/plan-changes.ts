import { z } from 'zod';
import type { Db } from '../db/connect.ts';
import { deletePlan, insertPlan, movePlan, openPlans, upcomingGoals } from '../db/queries/planning.ts';
import type { PlannedWorkoutRow, RaceGoalRow } from '../db/tables/planning.ts';
import { addDays, daysBetween } from '../lib/local-time.ts';
import { type ForecastDay, forecastPmc, type UnplannedDays } from '../planning/forecast.ts';
import {
  basisFromSeries,
  type ForecastBasis,
  forecastHorizonDays,
  plannedStressOf,
  recentAverageDays,
} from '../planning/forecast-store.ts';
import type { DataScope } from './data-scope.ts';

/**
 * Plan changes the coach can test (what-if) and propose: add, move, delete or replace a planned workout.
 * The same validation runs when a proposal is made and again when the athlete applies it, against the
 * plan as it is then; writing happens only in `applyChanges`, called after the athlete confirms.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const planId = z.string().regex(/^\d{1,18}$/);

const workout = {
  sport: z.string().min(1).max(40),
  title: z.string().min(1).max(100),
  description: z.string().max(1000).nullable(),
  duration_s: z.number().int().min(1).max(86_400).nullable(),
  stress: z.number().min(0).max(2000).nullable(),
};

/** A plan as it was when a change was resolved: what the athlete sees beside the change. */
const PlanSnapshot = z.object({ date: day, sport: z.string(), title: z.string(), stress: z.number() });
type PlanSnapshot = z.infer<typeof PlanSnapshot>;

/** One resolved change, as stored in `coach_proposals.changes`. */
export const StoredChange = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add'), date: day, ...workout }),
  z.object({ action: z.literal('move'), plan_id: planId, to_date: day, before: PlanSnapshot }),
  z.object({ action: z.literal('delete'), plan_id: planId, before: PlanSnapshot }),
  z.object({ action: z.literal('replace'), plan_id: planId, before: PlanSnapshot, ...workout }),
]);
export type StoredChange = z.infer<typeof StoredChange>;

/** A change before it is checked against the plan (a replacement may keep the plan's sport). */
export type ChangeSpec =
  | Extract<StoredChange, { action: 'add' }>
  | Omit<Extract<StoredChange, { action: 'move' }>, 'before'>
  | Omit<Extract<StoredChange, { action: 'delete' }>, 'before'>
  | (Omit<Extract<StoredChange, { action: 'replace' }>, 'before' | 'sport'> & { sport: string | null });

export const maxChanges = 30;

/** The changes as a stored proposal holds them (validated at this boundary). */
export function parseStoredChanges(value: unknown): StoredChange[] {
  return z.array(StoredChange).max(maxChanges).parse(value);
}

/** A stored change as a spec again, to be checked against the plan as it is now. */
export function specOf(change: StoredChange): ChangeSpec {
  if (change.action === 'add') return change;
  const { before: _before, ...spec } = change;
  return spec;
}

export type Resolution = { ok: true; changes: StoredChange[] } | { ok: false; problems: string[] };

/**
 * Checks changes against the athlete's open plans from today on (`plans`: this athlete's only, so a plan
 * id of anyone else is simply not found) and resolves each to what it touches.
 */
export function resolveChanges(specs: ChangeSpec[], plans: PlannedWorkoutRow[], today: string): Resolution {
  const problems: string[] = [];
  const changes: StoredChange[] = [];
  const touched = new Set<string>();
  const lastDay = addDays(today, forecastHorizonDays);
  const checkDay = (where: string, date: string) => {
    if (date < today) problems.push(`${where}: ${date} is in the past (today is ${today})`);
    else if (date > lastDay) problems.push(`${where}: ${date} is more than a year ahead`);
  };
  specs.forEach((spec, i) => {
    const where = `changes[${i}] (${spec.action})`;
    if (spec.action === 'add') {
      checkDay(where, spec.date);
      if (spec.stress === null && spec.duration_s === null)
        problems.push(`${where}: give stress_tss or duration_min`);
      changes.push(spec);
      return;
    }
    const plan = plans.find((candidate) => candidate.id === spec.plan_id);
    if (!plan) {
      problems.push(
        `${where}: plan ${spec.plan_id} is not an open (not yet done) plan dated today or later; use plan_read for the ids`,
      );
      return;
    }
    if (touched.has(plan.id)) {
      problems.push(`${where}: plan ${plan.id} is changed twice; one change per plan`);
      return;
    }
    touched.add(plan.id);
    const before = snapshotOf(plan);
    if (spec.action === 'move') {
      checkDay(where, spec.to_date);
      if (spec.to_date === plan.date) problems.push(`${where}: plan ${plan.id} is already on ${plan.date}`);
      changes.push({ ...spec, before });
    } else if (spec.action === 'delete') {
      changes.push({ ...spec, before });
    } else {
      if (spec.stress === null && spec.duration_s === null)
        problems.push(`${where}: give stress_tss or duration_min`);
      changes.push({ ...spec, sport: spec.sport ?? plan.sport, before });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, changes };
}

function snapshotOf(plan: PlannedWorkoutRow): PlanSnapshot {
  return { date: plan.date, sport: plan.sport, title: plan.title, stress: plannedStressOf(plan) };
}

/** The planned stress per workout once `changes` are made to `plans`. */
function plannedAfter(
  plans: PlannedWorkoutRow[],
  changes: StoredChange[],
): { date: string; stress: number }[] {
  const byId = new Map(plans.map((plan) => [plan.id, { date: plan.date, stress: plannedStressOf(plan) }]));
  const added: { date: string; stress: number }[] = [];
  for (const change of changes) {
    if (change.action === 'add') {
      added.push({ date: change.date, stress: stressOfWorkout(change) });
    } else if (change.action === 'delete') {
      byId.delete(change.plan_id);
    } else if (change.action === 'move') {
      const plan = byId.get(change.plan_id);
      if (plan) byId.set(change.plan_id, { ...plan, date: change.to_date });
    } else {
      const plan = byId.get(change.plan_id);
      if (plan) byId.set(change.plan_id, { date: plan.date, stress: stressOfWorkout(change) });
    }
  }
  return [...byId.values(), ...added];
}

/** The stress a new or replacing workout contributes (its own, or estimated from its duration). */
function stressOfWorkout(change: { sport: string; stress: number | null; duration_s: number | null }) {
  return plannedStressOf({
    sport: change.sport,
    planned_stress: change.stress,
    planned_duration_s: change.duration_s,
  });
}

/** What a forecast of the athlete's plan needs: their open plans from today on and their goals. */
export interface PlanState {
  plans: PlannedWorkoutRow[];
  goals: RaceGoalRow[];
}

export async function loadPlanState(db: Db, athleteId: string, today: string): Promise<PlanState> {
  const [plans, goals] = await Promise.all([
    openPlans(db, athleteId, today, addDays(today, forecastHorizonDays)),
    upcomingGoals(db, athleteId, today),
  ]);
  return { plans, goals };
}

/**
 * `forecastBasis` through the scope: the same start (PMC through yesterday), today's done stress and
 * recent average, but under the AI firewall from the PMC rebuilt over the allowed sources only.
 */
export async function scopedForecastBasis(scope: DataScope): Promise<ForecastBasis> {
  const { today, athlete } = scope;
  const series = await scope.pmc(addDays(today, -(recentAverageDays + 7)), today);
  return basisFromSeries(series, athlete, today);
}

export interface PlanComparison {
  until: string;
  unplanned: UnplannedDays;
  basis: ForecastBasis;
  current: ForecastDay[];
  proposed: ForecastDay[];
  /** Goals from today through `until`, soonest first. */
  goals: RaceGoalRow[];
}

/**
 * The forecast of the current plan beside the forecast with `changes` made, through `until` (default:
 * the next goal, else the last planned day, else two weeks), at most a year ahead.
 */
export function comparePlans(
  scope: Pick<DataScope, 'today' | 'athlete'>,
  state: PlanState,
  basis: ForecastBasis,
  changes: StoredChange[],
  until?: string,
): PlanComparison {
  const { today, athlete } = scope;
  const current = state.plans.map((plan) => ({ date: plan.date, stress: plannedStressOf(plan) }));
  const proposed = plannedAfter(state.plans, changes);
  const lastPlanned = [...current, ...proposed]
    .map((p) => p.date)
    .sort()
    .at(-1);
  let end = until ?? state.goals[0]?.date ?? lastPlanned ?? addDays(today, 13);
  if (end < today) end = today;
  if (daysBetween(today, end) > forecastHorizonDays) end = addDays(today, forecastHorizonDays);
  const unplanned = athlete.forecast_unplanned as UnplannedDays;
  const run = (planned: { date: string; stress: number }[]) =>
    forecastPmc({
      start: basis.start,
      from: today,
      until: end,
      done: basis.done,
      planned,
      unplanned,
      recentAverage: basis.recentAverage,
      ctlDays: athlete.ctl_days,
      atlDays: athlete.atl_days,
    });
  return {
    until: end,
    unplanned,
    basis,
    current: run(current),
    proposed: run(proposed),
    goals: state.goals.filter((goal) => goal.date <= end),
  };
}

/**
 * Makes the changes (already resolved against the plan as it is now) on `db`, which should be a
 * transaction. A replacement is the old plan deleted and the new workout added on its day.
 */
export async function applyChanges(db: Db, athleteId: string, changes: StoredChange[]): Promise<void> {
  for (const change of changes) {
    if (change.action === 'add') {
      await insertPlan(db, athleteId, newPlanOf(change, change.date));
    } else if (change.action === 'move') {
      await movePlan(db, athleteId, change.plan_id, change.to_date);
    } else if (change.action === 'delete') {
      await deletePlan(db, athleteId, change.plan_id);
    } else {
      await deletePlan(db, athleteId, change.plan_id);
      await insertPlan(db, athleteId, newPlanOf(change, change.before.date));
    }
  }
}

function newPlanOf(
  change: {
    sport: string;
    title: string;
    description: string | null;
    duration_s: number | null;
    stress: number | null;
  },
  date: string,
) {
  return {
    date,
    sport: change.sport,
    title: change.title,
    description: change.description,
    plannedDurationS: change.duration_s,
    plannedStress: change.stress,
  };
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat 28 Nov". */
export function dayLabel(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return `${weekdays[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

const tss = (stress: number) => `${Math.round(stress)} TSS`;

/** One change in plain words: action, day, sport, title, stress. */
export function changeLine(change: StoredChange): string {
  if (change.action === 'add') {
    return `Add — ${dayLabel(change.date)} — ${change.sport} — ${change.title} — ${tss(stressOfWorkout(change))}`;
  }
  const was = `${change.before.sport} — ${change.before.title} — ${tss(change.before.stress)}`;
  if (change.action === 'move') {
    return `Move — ${dayLabel(change.before.date)} → ${dayLabel(change.to_date)} — ${was}`;
  }
  if (change.action === 'delete') return `Remove — ${dayLabel(change.before.date)} — ${was}`;
  return `Replace — ${dayLabel(change.before.date)} — ${was} → ${change.sport} — ${change.title} — ${tss(stressOfWorkout(change))}`;
}
