import type { ChartConfiguration } from 'chart.js';
import {
  baseOptions,
  type ChartSize,
  type ChartSpec,
  chartSpec,
  emptySpec,
  minSecTicks,
  round,
  valueAxis,
} from './chart-spec.ts';
import { colors, defaultSize, fonts } from './theme.ts';

type Units = 'metric' | 'imperial';

export interface ActivityChartInput {
  /** Seconds from the start, one per sample (pauses show as jumps). */
  time_s: ArrayLike<number>;
  /** Watts per sample; null or NaN where missing. */
  power?: ArrayLike<number | null> | null;
  /** Metres per second per sample; shown as pace for runs, walks and swims, as speed otherwise. */
  speed?: ArrayLike<number | null> | null;
  /** Beats per minute per sample. */
  hr?: ArrayLike<number | null> | null;
  /** Strava sport type (Ride, Run, Swim, ...). */
  sport: string;
  units: Units;
  title?: string | null;
  size?: ChartSize;
  /** Upper bound on points per line (default 600: about one per pixel). */
  maxPoints?: number;
}

type Point = { x: number; y: number | null };

const kmPerMile = 1.609344;
const metresPerYard = 0.9144;

/**
 * One workout over time: power (or, without power, speed or pace) on the left axis and heart rate on the
 * right. Samples are averaged into at most `maxPoints` buckets so the configuration stays small.
 */
export function activityChartConfig(input: ActivityChartInput): ChartSpec {
  const size = input.size ?? defaultSize;
  const title = input.title === undefined ? null : input.title;
  const n = input.time_s.length;
  const has = (values: ArrayLike<number | null> | null | undefined): values is ArrayLike<number | null> =>
    !!values &&
    values.length === n &&
    Array.from(values).some((v) => v !== null && Number.isFinite(v) && v > 0);
  const power = has(input.power) ? input.power : null;
  const speed = has(input.speed) ? input.speed : null;
  const hr = has(input.hr) ? input.hr : null;
  if (n === 0 || (!power && !speed && !hr)) {
    return emptySpec(title, 'This activity has no power, speed or heart-rate samples to chart.', size);
  }

  const totalS = input.time_s[n - 1]! - input.time_s[0]!;
  const inHours = totalS > 2.5 * 3600;
  const timeScale = inHours ? 3600 : 60;
  const maxPoints = Math.max(10, input.maxPoints ?? 600);
  const buckets = bucketBounds(input.time_s, maxPoints);
  const xOf = (from: number, to: number) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += input.time_s[i]! - input.time_s[0]!;
    return round(sum / (to - from) / timeScale, 3) ?? 0;
  };
  const averaged = (values: ArrayLike<number | null>, map: (mean: number) => number | null, decimals = 1) =>
    buckets.map((bucket, i): Point => {
      if (!bucket) {
        // A gap point halfway through the pause.
        const before = buckets[i - 1]![1] - 1;
        return { x: round((xOf(before, before + 1) + xOf(before + 1, before + 2)) / 2, 3) ?? 0, y: null };
      }
      const [from, to] = bucket;
      let sum = 0;
      let count = 0;
      for (let i = from; i < to; i++) {
        const v = values[i];
        if (v !== null && v !== undefined && Number.isFinite(v)) {
          sum += v;
          count++;
        }
      }
      return { x: xOf(from, to), y: count > 0 ? round(map(sum / count), decimals) : null };
    });

  const paceSport = /(run|jog|walk|hike|snowshoe|swim)/i.test(input.sport);
  const swim = /swim/i.test(input.sport);
  const imperial = input.units === 'imperial';
  const datasets: object[] = [];
  const scales: Record<string, object> = {
    x: {
      type: 'linear',
      min: 0,
      // A whole minute (or quarter hour) at the end, so tick labels stay round.
      max: Math.max(1, Math.ceil((totalS / timeScale) * (inHours ? 4 : 1)) / (inHours ? 4 : 1)),
      title: {
        display: true,
        text: inHours ? 'Elapsed time (h)' : 'Elapsed time (min)',
        color: colors.text,
        font: fonts.axisTitle,
      },
      ticks: {
        color: colors.mutedText,
        font: fonts.ticks,
        maxRotation: 0,
        maxTicksLimit: 7,
        includeBounds: false,
      },
      grid: { color: colors.grid, drawTicks: false },
      border: { color: colors.axisBorder },
    },
  };

  const line = (label: string, data: Point[], color: string, axis: string, fill: string | null) => ({
    type: 'line' as const,
    label,
    data,
    yAxisID: axis,
    borderColor: color,
    backgroundColor: fill ?? color,
    fill: fill ? 'origin' : false,
    borderWidth: 1.5,
    pointRadius: 0,
    pointStyle: 'line',
    tension: 0,
    spanGaps: false,
  });

  if (power) {
    datasets.push(
      line(
        'Power (W)',
        averaged(power, (w) => w, 0),
        colors.power,
        'primary',
        colors.powerFill,
      ),
    );
    scales['primary'] = valueAxis('Power (W)', {
      position: 'left',
      beginAtZero: true,
      titleColor: colors.power,
    });
  } else if (speed && paceSport) {
    // Pace in decimal minutes (5.5 = 5:30), labelled m:ss by the renderer. Near-stops are gaps.
    const per = swim ? (imperial ? 100 * metresPerYard : 100) : imperial ? 1000 * kmPerMile : 1000;
    const unit = swim ? (imperial ? 'min/100 yd' : 'min/100 m') : imperial ? 'min/mi' : 'min/km';
    const slowest = swim ? 0.2 : 0.8;
    const pace = averaged(speed, (v) => (v > slowest ? per / v / 60 : null), 2);
    datasets.push(line(`Pace (${unit})`, pace, colors.speed, 'primary', null));
    // Walking breaks would stretch the axis: it ends at 1.6 × the median pace, the line is clipped there.
    const paces = pace.map((p) => p.y).filter((y): y is number => y !== null);
    const range = paces.length > 0 ? paceRange(paces) : null;
    const axis = valueAxis(`Pace (${unit})`, {
      position: 'left',
      reverse: true,
      titleColor: colors.speed,
      ...(range ? { min: range[0], max: range[1] } : {}),
    });
    scales['primary'] = { ...axis, ticks: { ...axis.ticks, ...minSecTicks, includeBounds: false } };
  } else if (speed) {
    const factor = imperial ? 3.6 / kmPerMile : 3.6;
    const unit = imperial ? 'mph' : 'km/h';
    datasets.push(
      line(
        `Speed (${unit})`,
        averaged(speed, (v) => v * factor),
        colors.speed,
        'primary',
        null,
      ),
    );
    scales['primary'] = valueAxis(`Speed (${unit})`, {
      position: 'left',
      beginAtZero: true,
      titleColor: colors.speed,
    });
  }
  if (hr) {
    const onLeft = datasets.length === 0;
    datasets.push(
      line(
        'Heart rate (bpm)',
        averaged(hr, (b) => b, 0),
        colors.heartRate,
        'hr',
        null,
      ),
    );
    scales['hr'] = valueAxis('Heart rate (bpm)', {
      position: onLeft ? 'left' : 'right',
      grid: onLeft,
      titleColor: colors.heartRate,
    });
  }

  const config = {
    type: 'line',
    data: { datasets },
    options: { ...baseOptions(title), scales },
  };
  return chartSpec(config as unknown as ChartConfiguration, size);
}

function paceRange(paces: number[]): [number, number] {
  const sorted = [...paces].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const fastest = at(0.02);
  const slowest = Math.min(at(0.98), at(0.5) * 1.6);
  const step = slowest - fastest > 6 ? 2 : slowest - fastest > 2 ? 1 : 0.5;
  return [
    Math.max(0, Math.floor(fastest / step) * step - step),
    Math.ceil(slowest / step) * step + (slowest - fastest < 0.5 ? step : 0),
  ];
}

/**
 * [from, to) index ranges of equal time, at most `maxBuckets` (+1 for the last sample), skipping empty
 * ones; null marks a pause (a jump in time longer than 30 s, two buckets and four usual sample
 * intervals), so the line breaks there instead of bridging it.
 */
function bucketBounds(time: ArrayLike<number>, maxBuckets: number): ([number, number] | null)[] {
  const n = time.length;
  const start = time[0]!;
  const width = n <= maxBuckets ? 0 : (time[n - 1]! - start) / maxBuckets;
  const steps: number[] = [];
  for (let i = 1; i < n; i++) steps.push(time[i]! - time[i - 1]!);
  steps.sort((a, b) => a - b);
  const usualStep = steps[Math.floor(steps.length / 2)] ?? 1;
  const gap = Math.max(30, 2 * width, 4 * usualStep);
  const bounds: ([number, number] | null)[] = [];
  let previousEnd = -1;
  let from = 0;
  while (from < n) {
    let to = from + 1;
    if (width > 0) {
      const limit = start + (Math.floor((time[from]! - start) / width) + 1) * width;
      while (to < n && time[to]! < limit) to++;
    }
    if (previousEnd >= 0 && time[from]! - time[previousEnd]! > gap) bounds.push(null);
    bounds.push([from, to]);
    previousEnd = to - 1;
    from = to;
  }
  return bounds;
}
