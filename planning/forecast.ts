import { addDays, daysBetween } from '../lib/local-time.ts';
import { type PmcState, pmcFrom } from '../metrics/pmc.ts';

export type UnplannedDays = 'zero' | 'recent_average';

export interface ForecastDay {
  date: string;
  ctl: number;
  atl: number;
  tsb: number;
  stress: number;
}

export interface ForecastInput {
  /** The PMC on the day before `from` (CTL, ATL, and the CTL of the 7 days before, for the ramp). */
  start: PmcState;
  /** First and last day forecast (inclusive). */
  from: string;
  until: string;
  /** Stress already done per day on or after `from` (today's activities). */
  done: { date: string; stress: number }[];
  /** Stress of the plans not yet fulfilled, per workout. */
  planned: { date: string; stress: number }[];
  /** Days with neither a plan nor anything done count 0, or `recentAverage`. */
  unplanned: UnplannedDays;
  recentAverage: number;
  ctlDays?: number;
  atlDays?: number;
}

/**
 * Runs the PMC (METRICS.md §10, the same `pmcFrom` as the real chart) forward over the planned stress: a
 * day's stress is what is already done plus what is still planned; a day with neither is 0 or the recent
 * average, as the athlete chose.
 */
export function forecastPmc(input: ForecastInput): ForecastDay[] {
  if (input.until < input.from) return [];
  const sumByDate = (rows: { date: string; stress: number }[]) => {
    const sums = new Map<string, number>();
    for (const row of rows) {
      if (row.date < input.from || row.date > input.until) continue;
      const stress = Number.isFinite(row.stress) && row.stress > 0 ? row.stress : 0;
      if (stress === 0 && sums.has(row.date)) continue;
      sums.set(row.date, (sums.get(row.date) ?? 0) + stress);
    }
    return sums;
  };
  // A day counts as trained only when something with stress was done on it.
  const done = sumByDate(input.done.filter((d) => Number.isFinite(d.stress) && d.stress > 0));
  const planned = sumByDate(input.planned);
  const plannedDays = new Set(input.planned.map((p) => p.date));
  const fill =
    input.unplanned === 'recent_average' && Number.isFinite(input.recentAverage)
      ? Math.max(0, input.recentAverage)
      : 0;
  const days: { date: string; stress: number }[] = [];
  const count = daysBetween(input.from, input.until) + 1;
  for (let i = 0; i < count; i++) {
    const date = addDays(input.from, i);
    const known = (done.get(date) ?? 0) + (planned.get(date) ?? 0);
    const empty = !plannedDays.has(date) && !done.has(date);
    days.push({ date, stress: empty ? fill : known });
  }
  return pmcFrom(input.start, days, { ctlDays: input.ctlDays, atlDays: input.atlDays }).map((row) => ({
    date: row.date,
    ctl: row.ctl,
    atl: row.atl,
    tsb: row.tsb,
    stress: row.stress,
  }));
}

/**
 * Mean daily stress over the `windowDays` days ending `lastDay`, rest days counted as 0. Days before the
 * athlete's first recorded day do not count (a new athlete's average is over the days they have).
 */
export function recentAverageStress(
  days: { date: string; stress: number }[],
  lastDay: string,
  windowDays = 28,
): number {
  const first = addDays(lastDay, -(windowDays - 1));
  const inWindow = days.filter((d) => d.date >= first && d.date <= lastDay);
  if (inWindow.length === 0) return 0;
  const earliest = inWindow.map((d) => d.date).sort()[0]!;
  const span = daysBetween(earliest, lastDay) + 1;
  const total = inWindow.reduce(
    (sum, d) => sum + (Number.isFinite(d.stress) && d.stress > 0 ? d.stress : 0),
    0,
  );
  return total / span;
}

/** A forecast in which fitness falls by more than this share says so next to race-day form. */
const fitnessFallWarningShare = 0.2;

/**
 * How much fitness (CTL) the forecast loses from where it starts to race day, when that is more than 20 %:
 * a race-day form reading such as "Fresh — ready to race" is then bought with lost fitness, and the
 * athlete should see that next to it. Null when fitness holds (or there is none to lose).
 */
export function fitnessFall(
  startCtl: number,
  raceDayCtl: number,
): { from: number; to: number; share: number } | null {
  if (!(startCtl > 0) || !Number.isFinite(raceDayCtl)) return null;
  const share = (startCtl - raceDayCtl) / startCtl;
  return share > fitnessFallWarningShare ? { from: startCtl, to: raceDayCtl, share } : null;
}

/** The warning's words, e.g. "⚠️ Fitness falls 82 % (58.6 → 10.3) by race day: …". */
export function fitnessFallText(fall: { from: number; to: number; share: number }, zero: boolean): string {
  const why = zero
    ? 'days without a plan count as rest; plan your training (`/plan add`) or count them at your recent average (`unplanned:recent_average`)'
    : 'the plan and your recent average do not keep your fitness up';
  return `⚠️ Fitness falls ${Math.round(fall.share * 100)} % (${fall.from.toFixed(1)} → ${fall.to.toFixed(1)}) by race day: ${why}.`;
}
