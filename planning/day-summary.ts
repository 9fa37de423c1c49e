import { compliancePercent } from '../charts/plan-week-chart.ts';
import type { Db } from '../db/connect.ts';
import { doneStressByDay, listPlans, type PlanWithActivity } from '../db/queries/planning.ts';
import { plannedStressOf } from './forecast-store.ts';

export interface PlanDaySummary {
  date: string;
  plans: PlanWithActivity[];
  /** Sum of the day's planned stress (estimated from duration where no stress was given); null: nothing planned. */
  plannedStress: number | null;
  /** Stress of everything done that day, planned or not. */
  doneStress: number;
  /** done / planned in percent; null when nothing was planned. */
  compliance: number | null;
}

/** One day of the plan against what was done: for the digest ("today: …", "yesterday: 92 %"). */
export async function planDaySummary(db: Db, athleteId: string, date: string): Promise<PlanDaySummary> {
  const [plans, done] = await Promise.all([
    listPlans(db, athleteId, date, date),
    doneStressByDay(db, athleteId, date, date),
  ]);
  const plannedStress = plans.length > 0 ? plans.reduce((sum, p) => sum + plannedStressOf(p), 0) : null;
  const doneStress = done[0]?.stress ?? 0;
  return { date, plans, plannedStress, doneStress, compliance: compliancePercent(plannedStress, doneStress) };
}
