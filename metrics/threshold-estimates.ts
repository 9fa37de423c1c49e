import { type SportFamily, sportFamily } from './sport.ts';

/**
 * Threshold estimates from an athlete's own history (METRICS.md §11, extended). Pure: it reads the
 * per-activity summaries the engine already stores (power curve, peaks, best efforts) and says, for each
 * estimate, how it was made and which effort it rests on, so the athlete can judge it. Nothing here is
 * ever applied: the caller offers it.
 */

/** One activity as the estimator needs it (activity_metrics.metrics, in the analyze CLI's JSON shape). */
export interface EstimateActivity {
  id: string;
  /** Local date, YYYY-MM-DD. */
  date: string;
  sport: string;
  /** [duration s, best mean power W] on the shared curve grid. */
  powerCurve: [number, number | null][];
  /** Duration (s, as a string key) → best mean heart rate held that long. */
  hrPeaks: Record<string, number | null>;
  /** Distance (m, as a string key) → shortest time (s) to cover it. */
  bestEfforts: Record<string, number | null>;
}

/** The effort an estimate rests on, for "from your 20 min best of 263 W on 12 Nov". */
interface EstimateEvidence {
  activityId: string;
  date: string;
  /** Seconds (power and heart-rate durations) or metres (best efforts by distance). */
  duration?: number;
  distance?: number;
  value: number;
}

type EstimateMethod =
  | 'cp_fit'
  | 'best_20min'
  | 'best_20min_hr'
  | 'highest_hr'
  | 'cs_fit'
  | 'best_10km'
  | 'run_cp_fit'
  | 'run_best_20min';

export interface ThresholdEstimate {
  /** W for power, bpm for heart rate, s per km for pace. */
  value: number;
  method: EstimateMethod;
  /** The main effort (the 20 min best, or the longest effort of a fit). */
  evidence: EstimateEvidence;
  /** Every activity whose effort the estimate uses (a new best in one of them can raise it). */
  activityIds: string[];
  /** Fits only: W′ in J (power) or D′ in m (speed), and how many points were fitted. */
  fit?: { reserve: number; points: number };
}

export interface ThresholdEstimates {
  ftp: ThresholdEstimate | null;
  /** From runs with a power meter (Stryd and the like). */
  runFtp: ThresholdEstimate | null;
  lthr: ThresholdEstimate | null;
  maxHr: ThresholdEstimate | null;
  /** Threshold run pace, s per km, from critical speed. */
  thresholdPace: ThresholdEstimate | null;
}

const estimateWindowDays = 90;
/** Critical-power and critical-speed fits use efforts from 3 to 20 minutes long. */
const fitMinS = 180;
const fitMaxS = 1200;
/** A fit is believed only when its anaerobic reserve is physiological; a flat curve (easy rides) is not. */
const plausibleWPrimeJ = { min: 4_000, max: 60_000 };
const plausibleDPrimeM = { min: 40, max: 600 };
const maxHrLookbackDays = 365;

/** Estimates as of `asOf` (YYYY-MM-DD) from the activities in the window before it (inclusive). */
export function estimateThresholds(activities: EstimateActivity[], asOf: string): ThresholdEstimates {
  const since = shiftDate(asOf, -(estimateWindowDays - 1));
  const recent = activities.filter((a) => a.date >= since && a.date <= asOf);
  const isFoot = (a: EstimateActivity) => footFamilies.has(sportFamily(a.sport));
  const rides = recent.filter((a) => !isFoot(a) && sportFamily(a.sport) !== 'swim');
  const runs = recent.filter(isFoot);
  const maxSince = shiftDate(asOf, -(maxHrLookbackDays - 1));
  return {
    ftp: estimatePowerThreshold(rides, false),
    runFtp: estimatePowerThreshold(runs, true),
    lthr: estimateLthr(recent),
    maxHr: estimateMaxHr(activities.filter((a) => a.date >= maxSince && a.date <= asOf)),
    thresholdPace: estimateThresholdPace(runs),
  };
}

const footFamilies = new Set<SportFamily>(['run', 'walk']);

/** Durations the critical-power fit reads the bests at: 3 to 20 minutes. */
const fitDurations = [180, 300, 420, 600, 900, 1200] as const;

/**
 * Best value per fit duration across activities, with the activity that holds it. A duration between
 * two grid points is read by linear interpolation on each activity's curve.
 */
function bestCurve(activities: EstimateActivity[]): Map<number, EstimateEvidence> {
  const best = new Map<number, EstimateEvidence>();
  for (const activity of activities) {
    const points = activity.powerCurve.filter(
      (p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]) && p[1] > 0,
    );
    for (const duration of fitDurations) {
      const watts = interpolate(points, duration);
      if (watts === null) continue;
      const held = best.get(duration);
      if (!held || watts > held.value)
        best.set(duration, { activityId: activity.id, date: activity.date, duration, value: watts });
    }
  }
  return best;
}

/** The curve's value at `duration`, between its neighbours on the grid; null beyond its ends. */
function interpolate(points: [number, number][], duration: number): number | null {
  for (let i = 0; i < points.length; i++) {
    const [d, w] = points[i]!;
    if (d === duration) return w;
    if (d > duration) {
      const previous = points[i - 1];
      if (!previous) return null;
      const [d0, w0] = previous;
      return w0 + ((w - w0) * (duration - d0)) / (d - d0);
    }
  }
  return null;
}

/**
 * FTP from a critical-power fit over the 3–20 min bests when they make a plausible curve, else 95 % of
 * the best 20 min (METRICS.md §11). The fit is linear in work: `P·t = CP·t + W′`, least squares.
 */
function estimatePowerThreshold(activities: EstimateActivity[], run: boolean): ThresholdEstimate | null {
  const curve = bestCurve(activities);
  const points = [...curve.values()].filter((p) => p.duration! >= fitMinS && p.duration! <= fitMaxS);
  const longest = points.reduce<EstimateEvidence | null>(
    (a, p) => (a === null || p.duration! > a.duration! ? p : a),
    null,
  );
  // The fit needs efforts across the range: one of 5 min or less and one of 12 min or more.
  const spans = points.some((p) => p.duration! <= 300) && points.some((p) => p.duration! >= 720);
  if (points.length >= 3 && spans && longest) {
    const fit = linearFit(
      points.map((p) => p.duration!),
      points.map((p) => p.value * p.duration!),
    );
    if (
      fit &&
      fit.slope > 0 &&
      fit.intercept >= plausibleWPrimeJ.min &&
      fit.intercept <= plausibleWPrimeJ.max
    ) {
      return {
        value: fit.slope,
        method: run ? 'run_cp_fit' : 'cp_fit',
        evidence: longest,
        activityIds: unique(points.map((p) => p.activityId)),
        fit: { reserve: fit.intercept, points: points.length },
      };
    }
  }
  const twenty = curve.get(1200);
  if (!twenty) return null;
  return {
    value: twenty.value * 0.95,
    method: run ? 'run_best_20min' : 'best_20min',
    evidence: twenty,
    activityIds: [twenty.activityId],
  };
}

/** LTHR = 95 % of the highest 20 min mean heart rate in the window (METRICS.md §11, a suggestion). */
function estimateLthr(activities: EstimateActivity[]): ThresholdEstimate | null {
  const best = bestPeak(activities, (a) => a.hrPeaks['1200']);
  if (!best) return null;
  return {
    value: best.value * 0.95,
    method: 'best_20min_hr',
    evidence: { ...best, duration: 1200 },
    activityIds: [best.activityId],
  };
}

/** Max HR = the highest 5 s mean heart rate seen in a year: a single-sample spike is not a maximum. */
function estimateMaxHr(activities: EstimateActivity[]): ThresholdEstimate | null {
  const best = bestPeak(activities, (a) => a.hrPeaks['5']);
  if (!best) return null;
  return {
    value: best.value,
    method: 'highest_hr',
    evidence: { ...best, duration: 5 },
    activityIds: [best.activityId],
  };
}

function bestPeak(
  activities: EstimateActivity[],
  pick: (a: EstimateActivity) => number | null | undefined,
): EstimateEvidence | null {
  let best: EstimateEvidence | null = null;
  for (const activity of activities) {
    const value = pick(activity);
    if (value === null || value === undefined || !Number.isFinite(value) || value <= 0) continue;
    if (!best || value > best.value) best = { activityId: activity.id, date: activity.date, value };
  }
  return best;
}

/**
 * Threshold pace from critical speed: a fit of distance on time over the best efforts by distance that
 * took 3–20 min (`d = CS·t + D′`), when it is plausible; else the pace of the fastest 10 km.
 */
function estimateThresholdPace(runs: EstimateActivity[]): ThresholdEstimate | null {
  const best = new Map<number, EstimateEvidence>();
  for (const run of runs) {
    for (const [key, seconds] of Object.entries(run.bestEfforts)) {
      const distance = Number(key);
      if (seconds === null || !Number.isFinite(seconds) || seconds <= 0 || !(distance > 0)) continue;
      const held = best.get(distance);
      if (!held || seconds < held.value)
        best.set(distance, { activityId: run.id, date: run.date, distance, value: seconds });
    }
  }
  const points = [...best.values()].filter((p) => p.value >= fitMinS && p.value <= fitMaxS * 2);
  const longest = points.reduce<EstimateEvidence | null>(
    (a, p) => (a === null || p.distance! > a.distance! ? p : a),
    null,
  );
  if (points.length >= 2 && longest) {
    const fit = linearFit(
      points.map((p) => p.value),
      points.map((p) => p.distance!),
    );
    if (
      fit &&
      fit.slope > 0 &&
      fit.intercept >= plausibleDPrimeM.min &&
      fit.intercept <= plausibleDPrimeM.max
    ) {
      return {
        value: 1000 / fit.slope,
        method: 'cs_fit',
        evidence: longest,
        activityIds: unique(points.map((p) => p.activityId)),
        fit: { reserve: fit.intercept, points: points.length },
      };
    }
  }
  const tenK = best.get(10000);
  if (!tenK) return null;
  return { value: tenK.value / 10, method: 'best_10km', evidence: tenK, activityIds: [tenK.activityId] };
}

/** Ordinary least squares `y = slope·x + intercept`; null when x does not vary. */
export function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export type EstimatedKind = 'ftp' | 'run_ftp' | 'lthr' | 'max_hr' | 'threshold_pace';

/** How much better an estimate must be before it is proposed: "clearly higher" (FTP +3 % or more). */
const raiseMargin = {
  ftp: 0.03,
  run_ftp: 0.03,
  lthr: 0.03,
  max_hr: 0.01,
  threshold_pace: 0.03,
} as const;

/**
 * The thresholds a new activity clearly raises: estimates that rest on that activity and beat the
 * current value by the margin (a faster pace is a lower number). A threshold not set yet is not "raised":
 * it is offered as a first value instead.
 */
export function raisedThresholds(
  estimates: ThresholdEstimates,
  current: Partial<Record<EstimatedKind, number>>,
  activityId: string,
): { kind: EstimatedKind; estimate: ThresholdEstimate; current: number }[] {
  const byKind: [EstimatedKind, ThresholdEstimate | null][] = [
    ['ftp', estimates.ftp],
    ['run_ftp', estimates.runFtp],
    ['lthr', estimates.lthr],
    ['max_hr', estimates.maxHr],
    ['threshold_pace', estimates.thresholdPace],
  ];
  const raised: { kind: EstimatedKind; estimate: ThresholdEstimate; current: number }[] = [];
  for (const [kind, estimate] of byKind) {
    const value = current[kind];
    if (!estimate || value === undefined || !estimate.activityIds.includes(activityId)) continue;
    const better =
      kind === 'threshold_pace'
        ? estimate.value <= value * (1 - raiseMargin[kind])
        : estimate.value >= value * (1 + raiseMargin[kind]);
    if (better) raised.push({ kind, estimate, current: value });
  }
  return raised;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * An activity for the estimator from its stored metric set (the analyze CLI's JSON shape); channels it
 * lacks are empty, values that are not finite numbers are left out.
 */
export function estimateActivityFromMetrics(
  id: string,
  date: string,
  sport: string,
  metrics: unknown,
): EstimateActivity {
  const m = (metrics ?? {}) as {
    power_curve?: unknown;
    peaks?: { hr?: unknown };
    best_efforts?: unknown;
  };
  const curve = Array.isArray(m.power_curve)
    ? m.power_curve.filter(
        (p): p is [number, number] =>
          Array.isArray(p) && Number.isFinite(p[0]) && typeof p[1] === 'number' && Number.isFinite(p[1]),
      )
    : [];
  return {
    id,
    date,
    sport,
    powerCurve: curve,
    hrPeaks: finiteRecord(m.peaks?.hr),
    bestEfforts: finiteRecord(m.best_efforts),
  };
}

function finiteRecord(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]),
    ),
  );
}
