/**
 * Performance Management Chart (METRICS.md §10): exponentially weighted fitness (CTL) and fatigue (ATL)
 * from daily stress, form TSB(t) = CTL(t−1) − ATL(t−1), ramp = CTL(t) − CTL(t−7).
 */
export interface PmcOptions {
  /** CTL time constant in days (default 42). */
  ctlDays?: number;
  /** ATL time constant in days (default 7). */
  atlDays?: number;
  /** Starting values on the day before the first day (default 0). */
  seedCtl?: number;
  seedAtl?: number;
}

export interface PmcDayInput {
  date: string;
  stress: number;
}

export interface PmcRow {
  date: string;
  stress: number;
  ctl: number;
  atl: number;
  tsb: number;
  ramp: number;
}

/** The state a recomputation continues from: the day before its first day. */
export interface PmcState {
  ctl: number;
  atl: number;
  /** CTL of up to the 7 days before the first day, oldest first (for the ramp); missing days count as the seed. */
  recentCtl: number[];
  /**
   * The chart's starting CTL: the CTL of every day before its first row. With fewer than 7 `recentCtl`
   * (a recompute within a week of the first activity) the ramp looks back to those days, so a recompute
   * from day t equals the full chart only when this is given.
   */
  seedCtl?: number;
}

/**
 * Continues the PMC from `previous` over consecutive days (the caller fills days without activities with
 * stress 0). Non-finite or negative stress counts as 0, so a bad value can never poison the chart.
 */
export function pmcFrom(
  previous: PmcState,
  days: PmcDayInput[],
  options: Pick<PmcOptions, 'ctlDays' | 'atlDays'> = {},
): PmcRow[] {
  const kCtl = 1 - Math.exp(-1 / (options.ctlDays ?? 42));
  const kAtl = 1 - Math.exp(-1 / (options.atlDays ?? 7));
  // history[i] is CTL of day (first − 7 + i); days before the chart hold the seed. Without a seed, the
  // oldest known value stands in (exact when the seed is what the chart started from and no days are short).
  const pad = previous.seedCtl ?? (previous.recentCtl.length > 0 ? previous.recentCtl[0]! : previous.ctl);
  const history = [
    ...Array(Math.max(0, 7 - previous.recentCtl.length)).fill(pad),
    ...previous.recentCtl.slice(-7),
  ];
  let ctl = previous.ctl;
  let atl = previous.atl;
  const rows: PmcRow[] = [];
  for (const day of days) {
    const stress = Number.isFinite(day.stress) && day.stress > 0 ? day.stress : 0;
    const tsb = ctl - atl;
    ctl += (stress - ctl) * kCtl;
    atl += (stress - atl) * kAtl;
    const weekAgo = history[history.length - 7]!;
    history.push(ctl);
    rows.push({ date: day.date, stress, ctl, atl, tsb, ramp: ctl - weekAgo });
  }
  return rows;
}

/** The PMC of a whole history: every day from the first to the last given (or `until`), gaps as 0. */
export function computePmc(days: PmcDayInput[], options: PmcOptions & { until?: string } = {}): PmcRow[] {
  if (days.length === 0) return [];
  const byDate = new Map<string, number>();
  for (const day of days)
    byDate.set(
      day.date,
      (byDate.get(day.date) ?? 0) + (Number.isFinite(day.stress) && day.stress > 0 ? day.stress : 0),
    );
  const sorted = [...byDate.keys()].sort();
  const first = sorted[0]!;
  let last = sorted.at(-1)!;
  if (options.until && options.until > last) last = options.until;
  const filled: PmcDayInput[] = [];
  for (let date = first; date <= last; date = nextDay(date))
    filled.push({ date, stress: byDate.get(date) ?? 0 });
  const seedCtl = options.seedCtl ?? 0;
  return pmcFrom({ ctl: seedCtl, atl: options.seedAtl ?? 0, recentCtl: [], seedCtl }, filled, options);
}

export type FormZone = 'transition' | 'fresh' | 'neutral' | 'optimal' | 'high_risk';

/** METRICS.md §10 form reading: > +25 transition, +5…+25 fresh, −10…+5 neutral, −30…−10 optimal, < −30 high risk. */
export function formReading(tsb: number): { zone: FormZone; label: string } {
  if (tsb > 25) return { zone: 'transition', label: 'Transition — very fresh, fitness may be slipping' };
  if (tsb > 5) return { zone: 'fresh', label: 'Fresh — ready to race' };
  if (tsb >= -10) return { zone: 'neutral', label: 'Neutral — maintaining' };
  if (tsb >= -30) return { zone: 'optimal', label: 'Optimal training — building fitness' };
  return { zone: 'high_risk', label: 'High risk — heavy fatigue, recover soon' };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Continues a stored PMC (consecutive rows, oldest first) with rest days through `until`: the stored rows
 * end on the day of the last recompute, but form keeps moving every day after it.
 */
export function extendPmc(
  rows: PmcRow[],
  until: string,
  options: Pick<PmcOptions, 'ctlDays' | 'atlDays' | 'seedCtl'> = {},
): PmcRow[] {
  const last = rows.at(-1);
  if (!last || last.date >= until) return rows;
  const rest: PmcDayInput[] = [];
  for (let date = nextDay(last.date); date <= until; date = nextDay(date)) rest.push({ date, stress: 0 });
  const previous: PmcState = {
    ctl: last.ctl,
    atl: last.atl,
    recentCtl: rows.slice(-7).map((r) => r.ctl),
    ...(options.seedCtl === undefined ? {} : { seedCtl: options.seedCtl }),
  };
  return [...rows, ...pmcFrom(previous, rest, options)];
}
