import { compliancePercent } from '../../../charts/plan-week-chart.ts';
import type { PlanWithActivity } from '../../../db/queries/planning.ts';
import type { PlannedWorkoutRow } from '../../../db/tables/planning.ts';
import { duration, type Units } from '../../../lib/format.ts';
import { addDays, daysBetween } from '../../../lib/local-time.ts';
import { parseDateInZone } from '../../../planning/date-parse.ts';
import { plannedStressOf } from '../../../planning/forecast-store.ts';
import { planStatusOn, statusEmoji } from '../../../planning/plan-status.ts';
import { formatTarget } from '../../../planning/target.ts';

import { planWindow } from './options.ts';

/** How /plan writes plans: a line per plan, days, stress, and the sport's emoji. */
export const sportEmoji = (sport: string): string => {
  const s = sport.toLowerCase();
  if (/swim/.test(s)) return '🏊';
  if (/ride|bike|cycl/.test(s)) return '🚴';
  if (/run/.test(s)) return '🏃';
  if (/walk|hike/.test(s)) return '🚶';
  if (/row|kayak|canoe/.test(s)) return '🚣';
  if (/ski/.test(s)) return '⛷️';
  return '🏋️';
};

export function resolveDate(
  text: string,
  now: Date,
  timeZone: string,
  today: string,
): { ok: true; date: string } | { ok: false; error: string } {
  const parsed = parseDateInZone(text, now, timeZone);
  if (!parsed.ok) return parsed;
  if (parsed.date < addDays(today, -planWindow.pastDays)) {
    return {
      ok: false,
      error: `${dayText(parsed.date, true)} is more than ${planWindow.pastDays} days ago.`,
    };
  }
  if (parsed.date > addDays(today, planWindow.futureDays)) {
    return { ok: false, error: `${dayText(parsed.date, true)} is more than a year ahead.` };
  }
  return parsed;
}

/** One plan as a line: status, sport, title, planned numbers, and what fulfilled it. */
export function planLine(plan: PlanWithActivity, today: string, units: Units = 'metric'): string {
  const status = planStatusOn(plan, today);
  const numbers = [
    plan.planned_duration_s !== null ? duration(plan.planned_duration_s) : null,
    stressText(plan),
    formatTarget(plan.target, units),
  ].filter(Boolean);
  let line = `${statusEmoji[status]} ${sportEmoji(plan.sport)} ${plan.title} — ${numbers.join(', ')}`;
  if (plan.moved_from && status !== 'done') line += ` (moved from ${dayText(plan.moved_from)})`;
  if (plan.activity_id !== null) {
    const percent = compliancePercent(plannedStressOf(plan), plan.activity_stress);
    line += `\n  ↳ done: ${plan.activity_name || plan.activity_sport}${plan.activity_stress !== null ? `, ${Math.round(plan.activity_stress)} TSS` : ''}${percent !== null ? ` (${percent}%)` : ''}`;
  } else if (status === 'missed') line += ' · missed';
  return line;
}

export function stressText(
  plan: Pick<PlannedWorkoutRow, 'planned_stress' | 'planned_duration_s' | 'sport'>,
): string {
  if (plan.planned_stress !== null) return `${Math.round(plan.planned_stress)} TSS`;
  return `≈${Math.round(plannedStressOf(plan))} TSS (estimated from duration)`;
}

export function planChoiceName(plan: PlannedWorkoutRow, today: string): string {
  const status = planStatusOn({ ...plan }, today);
  return `${dayText(plan.date)} · ${plan.title} · ${plan.sport} · ${Math.round(plannedStressOf(plan))} TSS · ${status}`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat 28 Nov" (or "Sat 28 Nov 2026"). */
export function dayText(date: string, withYear = false): string {
  const d = new Date(`${date}T00:00:00Z`);
  const base = `${weekdays[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
  return withYear ? `${base} ${d.getUTCFullYear()}` : base;
}

export function relativeDay(date: string, today: string): string {
  const n = daysBetween(today, date);
  if (n === 0) return ' (today)';
  if (n === 1) return ' (tomorrow)';
  if (n === -1) return ' (yesterday)';
  return n > 0 ? ` (in ${n} days)` : ` (${-n} days ago)`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
