import {
  bestSumsAt,
  envelopeCurve,
  meanMaxPresent,
  powerCurve as powerCurveOf,
  prefixSums,
  reportedDurations,
} from './mean-max.ts';
import { estimatedStressPerHour, type SportFamily, sportFamily } from './sport.ts';
import {
  formatElapsed,
  presentCount,
  type RawStreams,
  type Series,
  segmentRanges,
  toSeries,
} from './streams.ts';

interface Thresholds {
  /** Cycling FTP (W): rides and every other non-foot sport. */
  ftp?: number | null;
  /** Run FTP (W): runs, walks and hikes with a power meter (§2); never the cycling FTP. */
  runFtp?: number | null;
  lthr?: number | null;
  maxHr?: number | null;
  restHr?: number | null;
  /** Threshold run pace, seconds per km. */
  thresholdPaceSPerKm?: number | null;
  /** Threshold swim pace, seconds per 100 m. */
  swimThresholdPaceSPer100m?: number | null;
  sex?: 'male' | 'female' | null;
}

type StressMethod = 'power' | 'pace' | 'swim' | 'hr' | 'estimated';

/** Keys as the CLI contract names them; the distances themselves are exact (a mile is 1609.344 m). */
const bestEffortDistances = [
  ['400', 400],
  ['1000', 1000],
  ['1609', 1609.344],
  ['5000', 5000],
  ['10000', 10000],
  ['21097', 21097.5],
  ['42195', 42195],
] as const;

export interface ActivityMetrics {
  sport: string;
  family: SportFamily;
  durationS: number;
  movingS: number;
  stoppedS: number;
  power: {
    avg: number;
    np: number | null;
    if: number | null;
    tss: number | null;
    vi: number | null;
    workKj: number;
    ef: number | null;
  } | null;
  pace: {
    ngpSpeed: number | null;
    ngpPaceSPerKm: number | null;
    if: number | null;
    rtss: number | null;
  } | null;
  hr: { avg: number; max: number; trimp: number | null; hrtss: number | null } | null;
  swim: { speed: number; if: number | null; stss: number | null } | null;
  /** The activity's stress, and its intensity: the IF of the method that gave it (none for hr, estimated). */
  stress: { value: number; method: StressMethod; if: number | null };
  /** The records cover < 90 % of the session's own timer time (§1.6): its totals, nothing scaled up. */
  incomplete: { timerS: number; distanceM: number | null } | null;
  zones: { power: number[] | null; hr: number[] | null };
  peaks: { power: Record<string, number>; hr: Record<string, number>; gapSpeed: Record<string, number> };
  bestEfforts: Record<string, number>;
  powerCurve: [number, number][];
  decouplingPct: number | null;
  /** What the numbers rest on: the thresholds in effect, and defaults that stood in for missing ones. */
  thresholdsUsed: {
    ftp: number | null;
    runFtp: number | null;
    lthr: number | null;
    maxHr: number | null;
    maxHrSource: 'set' | 'history' | 'activity' | null;
    restHr: number;
    restHrSource: 'set' | 'default';
    thresholdPaceSPerKm: number | null;
    swimThresholdPaceSPer100m: number | null;
    sex: 'male' | 'female';
  };
  /** What the athlete should be told about the data (implausible values dropped, a file cut short). */
  notes: string[];
  /** Everything worth logging, the notes included. */
  warnings: string[];
}

export interface AnalyzeOptions {
  sport: string;
  thresholds?: Thresholds;
  /** Highest heart rate in the athlete's history (METRICS.md §4, used when max HR is not set). */
  historyMaxHr?: number | null;
  /** For activities without streams: moving time and distance from the activity's summary. */
  summary?: { movingTimeS?: number | null; elapsedTimeS?: number | null; distanceM?: number | null };
}

const powerZoneBounds = [55, 75, 90, 105, 120, 150];
const hrZoneBounds = [81, 90, 94, 100, 103, 106];

/** The whole metric set of one activity (METRICS.md). `raw` null: no streams (manual entry). */
export function analyze(raw: RawStreams | null, options: AnalyzeOptions): ActivityMetrics {
  const series = raw ? toSeries(raw) : null;
  return analyzeSeries(series, options);
}

function analyzeSeries(series: Series | null, options: AnalyzeOptions): ActivityMetrics {
  const t = options.thresholds ?? {};
  const family = sportFamily(options.sport);
  const foot = family === 'run' || family === 'walk';
  const notes: string[] = [...(series?.notes ?? [])];
  const warnings: string[] = [];
  if (series && series.droppedSamples > 0)
    warnings.push(`${series.droppedSamples} samples with a missing or earlier time were dropped`);
  const n = series?.n ?? 0;
  const ranges = series ? segmentRanges(series) : [];
  let movingS = 0;
  if (series) for (let i = 0; i < n; i++) movingS += series.moving[i]!;
  else movingS = positive(options.summary?.movingTimeS) ?? 0;
  const durationS = series
    ? n
    : (positive(options.summary?.movingTimeS) ?? positive(options.summary?.elapsedTimeS) ?? 0);
  const hours = durationS / 3600;

  // A file cut short (§1.6): said so, with the session's own totals; nothing is scaled up.
  let incomplete: ActivityMetrics['incomplete'] = null;
  const sessionTimer = positive(series?.session?.timerS);
  if (series && sessionTimer !== null && n < 0.9 * sessionTimer) {
    incomplete = { timerS: sessionTimer, distanceM: positive(series.session?.distanceM) };
    notes.push(
      `the file is incomplete: its records cover ${formatElapsed(n)} of the session's ${formatElapsed(sessionTimer)} timer time${incomplete.distanceM !== null ? ` (${(incomplete.distanceM / 1000).toFixed(2)} km)` : ''}; the numbers are for what was recorded`,
    );
  }

  const ftp = positive(t.ftp);
  const runFtp = positive(t.runFtp);
  // Runs are scored against the run FTP, never the cycling FTP (§2).
  const powerFtp = foot ? runFtp : ftp;
  const lthr = positive(t.lthr);
  const sex = t.sex ?? 'male';
  const hrValues = series?.hr && presentCount(series.hr) > 0 ? series.hr : null;
  const hrMean = hrValues ? mean(hrValues) : null;
  let activityMaxHr: number | null = null;
  if (hrValues)
    for (const v of hrValues)
      if (Number.isFinite(v) && (activityMaxHr === null || v > activityMaxHr)) activityMaxHr = v;
  const maxHrSet = positive(t.maxHr);
  const historyMax = positive(options.historyMaxHr);
  const maxHr =
    maxHrSet ??
    (historyMax !== null && activityMaxHr !== null
      ? Math.max(historyMax, activityMaxHr)
      : (historyMax ?? activityMaxHr));
  const maxHrSource = maxHrSet
    ? 'set'
    : historyMax !== null
      ? 'history'
      : activityMaxHr !== null
        ? 'activity'
        : null;
  const restHr = positive(t.restHr) ?? 60;
  const thresholdPace = positive(t.thresholdPaceSPerKm);
  const swimPace = positive(t.swimThresholdPaceSPer100m);

  // Power (§2): missing power counts as 0 W for NP, TSS and work; the average is over seconds with power.
  const powerPresent = series?.power ? presentCount(series.power) : 0;
  let power: ActivityMetrics['power'] = null;
  let powerCurve: [number, number][] = [];
  const powerPeaks: Record<string, number> = {};
  if (series?.power && powerPresent > 0) {
    const watts = series.power;
    const prefix = prefixSums(watts);
    const total = prefix[n]!;
    const avg = total / powerPresent;
    const np = normalized(prefix, ranges);
    const avgHr = hrMean;
    const intensity = np !== null && powerFtp ? np / powerFtp : null;
    power = {
      avg,
      np,
      if: intensity,
      tss: intensity !== null ? hours * intensity * intensity * 100 : null,
      vi: np !== null && avg > 0 ? np / avg : null,
      workKj: total / 1000,
      ef: np !== null && avgHr ? np / avgHr : null,
    };
    powerCurve = powerCurveOf(watts, ranges);
    const reported = new Set<number>(reportedDurations);
    for (const [d, w] of powerCurve) if (reported.has(d)) powerPeaks[String(d)] = w;
  }

  // Pace (§3), foot sports only: grade-adjusted speed, NGP as NP is built from power.
  let pace: ActivityMetrics['pace'] = null;
  const gapPeaks: Record<string, number> = {};
  let gap: Float64Array | null = null;
  if (foot && series?.speed && presentCount(series.speed) > 0) {
    gap = gradeAdjustedSpeed(series);
    const gapPrefix = prefixSums(gap);
    const ngp = normalized(gapPrefix, ranges);
    const thresholdSpeed = thresholdPace ? 1000 / thresholdPace : null;
    const intensity = ngp !== null && thresholdSpeed ? ngp / thresholdSpeed : null;
    pace = {
      ngpSpeed: ngp,
      ngpPaceSPerKm: ngp !== null && ngp > 0 ? 1000 / ngp : null,
      if: intensity,
      rtss: intensity !== null ? hours * intensity * intensity * 100 : null,
    };
    const durations = reportedDurations.filter((d) => d <= n);
    for (const [d, v] of envelopeCurve(durations, bestSumsAt(gap, durations, ranges, gapPrefix)))
      gapPeaks[String(d)] = v;
  }

  // Heart rate (§4): seconds with heart rate only.
  let hr: ActivityMetrics['hr'] = null;
  const hrPeaks: Record<string, number> = {};
  if (hrValues) {
    const trimp = maxHr !== null && maxHr > restHr ? trimpOf(hrValues, restHr, maxHr, sex) : null;
    const trimpAtLthr =
      lthr && maxHr !== null && maxHr > restHr ? trimpPerMinute(lthr, restHr, maxHr, sex) * 60 : null;
    hr = {
      avg: hrMean!,
      max: activityMaxHr ?? 0,
      trimp,
      hrtss: trimp !== null && trimpAtLthr ? (100 * trimp) / trimpAtLthr : null,
    };
    const raw = meanMaxPresent(hrValues, reportedDurations, ranges);
    const durations = reportedDurations.filter((d) => raw.has(d));
    const sums = Float64Array.from(durations, (d) => raw.get(d)! * d);
    for (const [d, v] of envelopeCurve(durations, sums)) hrPeaks[String(d)] = v;
  }

  // Swimming (§5), swims only: pool lengths decide moving time and distance.
  let swim: ActivityMetrics['swim'] = null;
  if (family === 'swim') {
    let distance: number | null;
    let swimMovingS = movingS;
    const pool = series?.pool;
    const active = pool?.lengths.filter((l) => l.active) ?? [];
    const poolLength = positive(pool?.lengthM);
    if (pool && active.length > 0 && poolLength !== null) {
      swimMovingS = active.reduce((sum, l) => sum + l.durationS, 0);
      distance = active.length * poolLength;
      movingS = Math.min(swimMovingS, durationS);
    } else {
      distance = swimDistance(series) ?? positive(options.summary?.distanceM);
    }
    if (distance !== null && swimMovingS > 0) {
      const speed = distance / swimMovingS;
      const intensity = swimPace ? speed / (100 / swimPace) : null;
      swim = {
        speed,
        if: intensity,
        stss: intensity !== null ? (swimMovingS / 3600) * intensity ** 3 * 100 : null,
      };
    }
  }
  // Stopped = elapsed − moving: the recorded seconds that are not moving (§1.4) plus the pauses, which add
  // no seconds (§1.2), so moving + stopped is the whole elapsed span as on Strava and head units.
  const stoppedS = series
    ? Math.max(0, n + series.pausedS - movingS)
    : Math.max(0, (positive(options.summary?.elapsedTimeS) ?? durationS) - durationS);

  // Which score is the activity's stress (§6); its intensity is the IF of the same method.
  let stress: ActivityMetrics['stress'];
  const hrPresent = hrValues ? presentCount(hrValues) : 0;
  if (power?.tss != null && powerPresent >= n / 2)
    stress = { value: power.tss, method: 'power', if: power.if };
  else if (foot && pace?.rtss != null) stress = { value: pace.rtss, method: 'pace', if: pace.if };
  else if (swim?.stss != null) stress = { value: swim.stss, method: 'swim', if: swim.if };
  else if (hr?.hrtss != null && hrPresent >= n / 2) stress = { value: hr.hrtss, method: 'hr', if: null };
  else {
    const movingHours = (movingS > 0 ? movingS : durationS) / 3600;
    stress = { value: movingHours * estimatedStressPerHour[family], method: 'estimated', if: null };
  }

  // Zones (§7): seconds with the value missing are in no zone.
  const zones = {
    power:
      series?.power && powerFtp && powerPresent > 0
        ? zoneSeconds(series.power, powerZoneBounds, powerFtp)
        : null,
    hr: hrValues && lthr ? zoneSeconds(hrValues, hrZoneBounds, lthr) : null,
  };

  // Decoupling (§9): first half against second half, ≥ 20 min with heart rate.
  let decouplingPct: number | null = null;
  if (hrValues && n >= 1200) {
    const half = Math.floor(n / 2);
    const usePower = series?.power && powerPresent >= n / 2;
    const output = usePower ? series!.power! : gap;
    if (output) {
      const prefix = prefixSums(output);
      const ef = (from: number, to: number) => {
        const clipped: [number, number][] = [];
        for (const [a, b] of ranges)
          if (Math.min(b, to) > Math.max(a, from)) clipped.push([Math.max(a, from), Math.min(b, to)]);
        const normal = normalized(prefix, clipped);
        const heart = mean(hrValues.subarray(from, to));
        return normal !== null && heart > 0 ? normal / heart : null;
      };
      const first = ef(0, half);
      const second = ef(n - half, n);
      if (first !== null && second !== null && first > 0) decouplingPct = ((first - second) / first) * 100;
    }
  }

  return {
    sport: options.sport,
    family,
    durationS,
    movingS,
    stoppedS,
    power,
    pace,
    hr,
    swim,
    stress: {
      value: finite(stress.value),
      method: stress.method,
      if: stress.if !== null && Number.isFinite(stress.if) ? stress.if : null,
    },
    incomplete,
    zones,
    peaks: { power: powerPeaks, hr: hrPeaks, gapSpeed: gapPeaks },
    bestEfforts: foot ? bestEfforts(series) : {},
    powerCurve,
    decouplingPct,
    thresholdsUsed: {
      ftp,
      runFtp,
      lthr,
      maxHr,
      maxHrSource,
      restHr,
      restHrSource: positive(t.restHr) ? 'set' : 'default',
      thresholdPaceSPerKm: thresholdPace,
      swimThresholdPaceSPer100m: swimPace,
      sex,
    },
    notes,
    warnings: [...notes, ...warnings],
  };
}

/**
 * Fourth-power mean of the 30 s rolling average (NP, and NGP from grade-adjusted speed), each window
 * inside one segment (§2); no segment of 30 s or more: null. `prefix` counts missing values as 0.
 */
function normalized(prefix: Float64Array, ranges: readonly (readonly [number, number])[]): number | null {
  let sum4 = 0;
  let windows = 0;
  for (const [from, to] of ranges) {
    for (let i = from + 29; i < to; i++) {
      const avg = (prefix[i + 1]! - prefix[i - 29]!) / 30;
      const sq = avg * avg;
      sum4 += sq * sq;
    }
    if (to - from >= 30) windows += to - from - 29;
  }
  return windows > 0 ? (sum4 / windows) ** 0.25 : null;
}

/** Minetti et al. (2002) energy cost of running on a grade, J/kg/m. */
function minettiCost(grade: number): number {
  const i = Math.max(-0.45, Math.min(0.45, grade));
  return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;
}

function gradeAdjustedSpeed(series: Series): Float64Array {
  const { n, speed, grade, altitude, distance } = series;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = speed![i]!;
    if (!Number.isFinite(v)) continue; // missing speed counts as 0, as missing power does
    let g = grade && Number.isFinite(grade[i]!) ? grade[i]! / 100 : Number.NaN;
    if (!Number.isFinite(g) && altitude && distance && i > 0) {
      const dd = distance[i]! - distance[i - 1]!;
      const da = altitude[i]! - altitude[i - 1]!;
      g = dd > 0 && Number.isFinite(da) ? da / dd : Number.NaN;
    }
    out[i] = (v * minettiCost(Number.isFinite(g) ? g : 0)) / 3.6;
  }
  return out;
}

/** Banister TRIMP per minute at one heart rate (METRICS.md §4). */
function trimpPerMinute(heartRate: number, rest: number, max: number, sex: 'male' | 'female'): number {
  const r = Math.max(0, Math.min(1, (heartRate - rest) / (max - rest)));
  return sex === 'female' ? r * 0.86 * Math.exp(1.67 * r) : r * 0.64 * Math.exp(1.92 * r);
}

function trimpOf(hr: Float64Array, rest: number, max: number, sex: 'male' | 'female'): number {
  // Heart rate is nearly always a whole bpm: each one's exponential is computed once (same value, same sum).
  const whole = new Float64Array(301).fill(Number.NaN);
  let total = 0;
  for (let i = 0; i < hr.length; i++) {
    const v = hr[i]!;
    if (!Number.isFinite(v)) continue;
    if (Number.isInteger(v) && v >= 0 && v <= 300) {
      let per = whole[v]!;
      if (Number.isNaN(per)) per = whole[v] = trimpPerMinute(v, rest, max, sex) / 60;
      total += per;
    } else total += trimpPerMinute(v, rest, max, sex) / 60;
  }
  return total;
}

/** Compares v × 100 with percent × threshold, so 110 W is exactly 55 % of 200 W (no 0.55 × 200 rounding). */
function zoneSeconds(values: Float64Array, percentBounds: number[], threshold: number): number[] {
  const seconds = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    let zone = 0;
    while (zone < percentBounds.length && v * 100 >= percentBounds[zone]! * threshold) zone++;
    seconds[zone]!++;
  }
  return seconds;
}

function swimDistance(series: Series | null): number | null {
  if (!series?.distance) return null;
  let max: number | null = null;
  for (const v of series.distance) if (Number.isFinite(v) && (max === null || v > max)) max = v;
  return max !== null && max > 0 ? max : null;
}

/** Shortest time to cover each distance (§8), from the distance stream, interpolated within a second. */
function bestEfforts(series: Series | null): Record<string, number> {
  const result: Record<string, number> = {};
  if (!series) return result;
  const { n } = series;
  let cumulative: Float64Array | null = null;
  if (series.distance && presentCount(series.distance) > 1) {
    cumulative = new Float64Array(n);
    let last = 0;
    for (let i = 0; i < n; i++) {
      const v = series.distance[i]!;
      last = Number.isFinite(v) && v >= last ? v : last;
      cumulative[i] = last;
    }
  } else if (series.speed) {
    cumulative = new Float64Array(n);
    for (let i = 1; i < n; i++)
      cumulative[i] = cumulative[i - 1]! + (Number.isFinite(series.speed[i]!) ? series.speed[i]! : 0);
  }
  if (!cumulative) return result;
  const time = series.time;
  const total = cumulative[n - 1]! - cumulative[0]!;
  for (const [key, target] of bestEffortDistances) {
    if (target > total) continue;
    // Distance is linear between samples, so the shortest cover of `target` has its start or its end on a
    // sample: try both, interpolating the other end within its step (over that step's real duration, which
    // is longer than 1 s across a pause).
    let best = Number.POSITIVE_INFINITY;
    let start = 0;
    for (let end = 1; end < n; end++) {
      // End on a sample: the latest sample start that still covers the distance, then slide it forward.
      while (start + 1 < end && cumulative[end]! - cumulative[start + 1]! >= target) start++;
      const spare = cumulative[end]! - cumulative[start]! - target;
      if (spare < 0) continue;
      const step = cumulative[start + 1]! - cumulative[start]!;
      const from = time[start]! + (step > 0 ? (time[start + 1]! - time[start]!) * (spare / step) : 0);
      if (time[end]! - from < best) best = time[end]! - from;
    }
    let end = 1;
    for (let from = 0; from < n - 1; from++) {
      // Start on a sample: the earliest sample end that covers the distance, then pull it back.
      if (end <= from) end = from + 1;
      while (end < n && cumulative[end]! - cumulative[from]! < target) end++;
      if (end === n) break;
      const spare = cumulative[end]! - cumulative[from]! - target;
      const step = cumulative[end]! - cumulative[end - 1]!;
      const to = time[end]! - (step > 0 ? (time[end]! - time[end - 1]!) * (spare / step) : 0);
      if (to - time[from]! < best) best = to - time[from]!;
    }
    if (Number.isFinite(best)) result[key] = best;
  }
  return result;
}

function mean(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}

function positive(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

function finite(value: number): number {
  return Number.isFinite(value) && value >= 0 ? value : 0;
}
