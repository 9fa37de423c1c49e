import { addDays } from '../../lib/local-time.ts';
import { computePmc } from '../../metrics/pmc.ts';
import { type SportFamily, sportFamily } from '../../metrics/sport.ts';

/** One activity as /week counts it. */
export interface WeekActivity {
  date: string;
  sport: string;
  movingS: number | null;
  distanceM: number | null;
  elevationM: number | null;
  stress: number | null;
}

export interface SportTotals {
  timeS: number;
  distanceM: number;
  elevationM: number;
  stress: number;
  count: number;
}

export const sportLabels: Record<SportFamily, string> = {
  ride: '🚴 Ride',
  run: '🏃 Run',
  walk: '🥾 Walk & hike',
  swim: '🏊 Swim',
  row: '🚣 Row & paddle',
  ski: '⛷️ Ski',
  strength: '🏋️ Strength',
  other: '✨ Other',
};

/** The Monday of the (ISO) week that holds `date`. */
export function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

const finite = (value: number | null) => (value !== null && Number.isFinite(value) && value > 0 ? value : 0);

const empty = (): SportTotals => ({ timeS: 0, distanceM: 0, elevationM: 0, stress: 0, count: 0 });

/** Totals per sport family of the activities from `from` through `to` (inclusive). */
export function totalsBySport(
  activities: WeekActivity[],
  from: string,
  to: string,
): Map<SportFamily, SportTotals> {
  const totals = new Map<SportFamily, SportTotals>();
  for (const a of activities) {
    if (a.date < from || a.date > to) continue;
    const family = sportFamily(a.sport);
    const t = totals.get(family) ?? empty();
    t.timeS += finite(a.movingS);
    t.distanceM += finite(a.distanceM);
    t.elevationM += finite(a.elevationM);
    t.stress += finite(a.stress);
    t.count += 1;
    totals.set(family, t);
  }
  return totals;
}

export interface WeekSummary {
  monday: string;
  sunday: string;
  /** This week's totals per sport, biggest stress first. */
  sports: { family: SportFamily; week: SportTotals; average: SportTotals }[];
  week: SportTotals;
  /** Mean of the 4 weeks before (per week). */
  average: SportTotals;
}

/** The week that holds `date` against the average of the 4 weeks before it. */
export function weekSummary(activities: WeekActivity[], date: string): WeekSummary {
  const monday = weekStart(date);
  const sunday = addDays(monday, 6);
  const week = totalsBySport(activities, monday, sunday);
  const before = totalsBySport(activities, addDays(monday, -28), addDays(monday, -1));
  const families = new Set<SportFamily>([...week.keys(), ...before.keys()]);
  const sports = [...families]
    .map((family) => ({
      family,
      week: week.get(family) ?? empty(),
      average: divide(before.get(family) ?? empty(), 4),
    }))
    .sort((a, b) => b.week.stress - a.week.stress || b.average.stress - a.average.stress);
  return {
    monday,
    sunday,
    sports,
    week: sum(sports.map((s) => s.week)),
    average: sum(sports.map((s) => s.average)),
  };
}

function divide(t: SportTotals, n: number): SportTotals {
  return {
    timeS: t.timeS / n,
    distanceM: t.distanceM / n,
    elevationM: t.elevationM / n,
    stress: t.stress / n,
    count: t.count / n,
  };
}

function sum(list: SportTotals[]): SportTotals {
  const t = empty();
  for (const s of list) {
    t.timeS += s.timeS;
    t.distanceM += s.distanceM;
    t.elevationM += s.elevationM;
    t.stress += s.stress;
    t.count += s.count;
  }
  return t;
}

/** Hours per sport family per week, the 12 weeks ending with the week of `date` (oldest first). */
export function weeklyHours(
  activities: WeekActivity[],
  date: string,
  weeks = 12,
): { weeks: string[]; hours: Partial<Record<SportFamily, number[]>> } {
  const last = weekStart(date);
  const mondays = Array.from({ length: weeks }, (_, i) => addDays(last, -7 * (weeks - 1 - i)));
  const hours: Partial<Record<SportFamily, number[]>> = {};
  for (const [i, monday] of mondays.entries()) {
    for (const [family, t] of totalsBySport(activities, monday, addDays(monday, 6))) {
      const series = hours[family] ?? Array<number>(weeks).fill(0);
      series[i] = t.timeS / 3600;
      hours[family] = series;
    }
  }
  return { weeks: mondays, hours };
}

/**
 * Fitness (CTL) per sport on `date`: the PMC of each sport's own stress (METRICS.md §10, from 0 on the
 * athlete's first activity), so a runner who also rides sees how fit each discipline is.
 */
export function fitnessBySport(
  activities: WeekActivity[],
  date: string,
  options: { ctlDays?: number; atlDays?: number } = {},
): Partial<Record<'ride' | 'run' | 'swim', number>> {
  const first = activities.reduce<string | null>((m, a) => (m === null || a.date < m ? a.date : m), null);
  const result: Partial<Record<'ride' | 'run' | 'swim', number>> = {};
  if (first === null || first > date) return result;
  for (const family of ['ride', 'run', 'swim'] as const) {
    const days = activities
      .filter((a) => a.date <= date && sportFamily(a.sport) === family)
      .map((a) => ({ date: a.date, stress: finite(a.stress) }));
    if (days.length === 0) continue;
    // Day one is the athlete's first activity, whatever its sport, so every sport decays on one calendar.
    const rows = computePmc([{ date: first, stress: 0 }, ...days], { ...options, until: date });
    result[family] = rows.at(-1)?.ctl ?? 0;
  }
  return result;
}
