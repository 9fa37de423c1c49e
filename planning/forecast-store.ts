import type { Db } from '../db/connect.ts';
import { loadSeries } from '../db/queries/daily-load.ts';
import { lastOpenPlanDate, openPlans, upcomingGoals } from '../db/queries/planning.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import type { PlannedWorkoutRow } from '../db/tables/planning.ts';
import { addDays, daysBetween } from '../lib/local-time.ts';
import type { PmcState } from '../metrics/pmc.ts';
import { estimatedStressPerHour, sportFamily } from '../metrics/sport.ts';
import { type ForecastDay, forecastPmc, recentAverageStress, type UnplannedDays } from './forecast.ts';

/** The furthest a forecast looks ahead. */
export const forecastHorizonDays = 366;
/** Days the "recent average" of unplanned days is taken over. */
export const recentAverageDays = 28;

export type ForecastAthlete = Pick<
  AthleteRow,
  'id' | 'ctl_days' | 'atl_days' | 'seed_ctl' | 'seed_atl' | 'forecast_unplanned'
>;

export interface AthleteForecast {
  /** From today through the goal (or the last plan when there is no goal). */
  days: ForecastDay[];
  goal: { date: string; name: string; target_tsb: number | null } | null;
}

/** What a forecast starts from: the real PMC through yesterday, today's done stress, the recent average. */
export interface ForecastBasis {
  start: PmcState;
  done: { date: string; stress: number }[];
  recentAverage: number;
}

/**
 * The planned stress of a workout: its own number, or an estimate from its duration at the sport's
 * hourly rate (METRICS.md §6 estimate), or 0 when it has neither.
 */
export function plannedStressOf(
  plan: Pick<PlannedWorkoutRow, 'planned_stress' | 'planned_duration_s' | 'sport'>,
): number {
  if (plan.planned_stress !== null && Number.isFinite(plan.planned_stress))
    return Math.max(0, plan.planned_stress);
  if (plan.planned_duration_s !== null && plan.planned_duration_s > 0) {
    return (plan.planned_duration_s / 3600) * estimatedStressPerHour[sportFamily(plan.sport)];
  }
  return 0;
}

export async function forecastBasis(db: Db, athlete: ForecastAthlete, today: string): Promise<ForecastBasis> {
  const series = await loadSeries(db, athlete, addDays(today, -(recentAverageDays + 7)), today);
  return basisFromSeries(series, athlete, today);
}

/** A forecast's starting point from a PMC series that ends today (the firewall passes its own series). */
export function basisFromSeries(
  series: { date: string; ctl: number; atl: number; stress: number }[],
  athlete: Pick<ForecastAthlete, 'seed_ctl' | 'seed_atl'>,
  today: string,
): ForecastBasis {
  const yesterday = addDays(today, -1);
  const before = series.filter((row) => row.date <= yesterday);
  const last = before.at(-1);
  const start: PmcState = last
    ? { ctl: last.ctl, atl: last.atl, recentCtl: before.slice(-7).map((row) => row.ctl) }
    : { ctl: athlete.seed_ctl, atl: athlete.seed_atl, recentCtl: [] };
  return {
    start,
    done: series
      .filter((row) => row.date === today && row.stress > 0)
      .map((row) => ({ date: row.date, stress: row.stress })),
    recentAverage: recentAverageStress(before, yesterday, recentAverageDays),
  };
}

/**
 * Form from today to the athlete's next race goal (or, without one, to their last planned workout):
 * the PMC run forward over the planned stress. Null when there is nothing ahead to forecast to.
 */
export async function forecastForAthlete(
  db: Db,
  athlete: ForecastAthlete,
  today: string,
): Promise<AthleteForecast | null> {
  const [goals, lastPlan] = await Promise.all([
    upcomingGoals(db, athlete.id, today),
    lastOpenPlanDate(db, athlete.id, today),
  ]);
  const goalRow = goals[0] ?? null;
  let until = goalRow?.date ?? lastPlan;
  if (!until) return null;
  if (daysBetween(today, until) > forecastHorizonDays) until = addDays(today, forecastHorizonDays);
  const [basis, plans] = await Promise.all([
    forecastBasis(db, athlete, today),
    openPlans(db, athlete.id, today, until),
  ]);
  const days = forecastPmc({
    start: basis.start,
    from: today,
    until,
    done: basis.done,
    planned: plans.map((plan) => ({ date: plan.date, stress: plannedStressOf(plan) })),
    unplanned: athlete.forecast_unplanned as UnplannedDays,
    recentAverage: basis.recentAverage,
    ctlDays: athlete.ctl_days,
    atlDays: athlete.atl_days,
  });
  return {
    days,
    goal: goalRow ? { date: goalRow.date, name: goalRow.name, target_tsb: goalRow.target_tsb } : null,
  };
}
