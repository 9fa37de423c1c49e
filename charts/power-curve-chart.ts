import type { ChartConfiguration } from 'chart.js';
import { num } from '../lib/format.ts';
import {
  baseOptions,
  type ChartSize,
  type ChartSpec,
  chartSpec,
  emptySpec,
  round,
  valueAxis,
} from './chart-spec.ts';
import { colors, defaultSize, fonts } from './theme.ts';

export interface PowerCurveChartInput {
  /** The period's best average power per duration: [seconds, watts], any order. */
  period: [number, number][];
  /** The all-time curve, drawn dashed behind the period's. */
  allTime?: [number, number][] | null;
  periodLabel?: string;
  title?: string | null;
  size?: ChartSize;
}

/** Durations that get a tick label, with the label (spaced to fit a phone-width chart). */
const ticks: [number, string][] = [
  [1, '1s'],
  [5, '5s'],
  [30, '30s'],
  [60, '1m'],
  [300, '5m'],
  [1200, '20m'],
  [3600, '1h'],
  [7200, '2h'],
  [10800, '3h'],
  [18000, '5h'],
  [36000, '10h'],
];

/** The durations called out in the subtitle. */
const keyDurations: [number, string][] = [
  [5, '5 s'],
  [60, '1 min'],
  [300, '5 min'],
  [1200, '20 min'],
  [3600, '1 h'],
];

const stepsPerDecade = 20;

/**
 * The power-duration curve on a logarithmic duration axis. Chart.js cannot label a log axis "5s, 1m, 20m"
 * without a formatting function (which a QuickChart configuration cannot carry), so the axis is a
 * category axis whose points are spaced evenly in log(duration): positions are logarithmic and every
 * label is plain data. The named durations sit exactly on grid points.
 */
export function powerCurveChartConfig(input: PowerCurveChartInput): ChartSpec {
  const size = input.size ?? defaultSize;
  const title = input.title === undefined ? 'Power-duration curve' : input.title;
  const period = clean(input.period);
  const allTime = clean(input.allTime ?? []);
  if (period.length === 0 && allTime.length === 0) {
    return emptySpec(
      title,
      'No power data in this period: the curve needs rides (or runs) with a power meter.',
      size,
    );
  }
  const durations = [...period, ...allTime].map(([s]) => s);
  const grid = logGrid(Math.min(...durations), Math.max(...durations));
  const tickAt = new Map(ticks.map(([s, label]) => [s, label]));
  const labels = grid.map((s) => tickAt.get(s) ?? '');
  const gridColors = grid.map((s) => (tickAt.has(s) ? colors.grid : 'rgba(0, 0, 0, 0)'));

  const line = (label: string, curve: [number, number][], color: string, dashed: boolean) => ({
    label,
    data: grid.map((s) => round(interpolate(curve, s), 0)),
    borderColor: color,
    backgroundColor: color,
    borderWidth: dashed ? 2 : 3,
    borderDash: dashed ? [6, 4] : [],
    pointRadius: 0,
    pointStyle: 'line',
    tension: 0.3,
    spanGaps: true,
    fill: false,
  });
  const datasets: object[] = [];
  if (period.length > 0) datasets.push(line(input.periodLabel ?? 'This period', period, colors.power, false));
  if (allTime.length > 0) datasets.push(line('All time', allTime, colors.allTime, true));

  const best = period.length > 0 ? period : allTime;
  const callouts = keyDurations
    .map(([s, name]) => {
      const watts = interpolate(best, s);
      return watts === null ? null : `${name} ${num(watts)} W`;
    })
    .filter((text): text is string => text !== null);

  const options = baseOptions(title);
  const config = {
    type: 'line',
    data: { labels, datasets },
    options: {
      ...options,
      plugins: {
        ...options.plugins,
        subtitle: {
          display: callouts.length > 0,
          text: callouts.join(' · '),
          color: colors.mutedText,
          font: fonts.legend,
          padding: { bottom: 4 },
        },
        legend: { ...options.plugins.legend, display: datasets.length > 1 },
      },
      scales: {
        x: {
          type: 'category',
          title: { display: true, text: 'Duration (log scale)', color: colors.text, font: fonts.axisTitle },
          ticks: { color: colors.mutedText, font: fonts.ticks, autoSkip: false, maxRotation: 0 },
          grid: { color: gridColors, drawTicks: false },
          border: { color: colors.axisBorder },
        },
        y: valueAxis('Power (W)', { position: 'left', beginAtZero: true }),
      },
    },
  };
  return chartSpec(config as unknown as ChartConfiguration, size);
}

function clean(curve: [number, number][]): [number, number][] {
  return curve
    .filter(([s, w]) => Number.isFinite(s) && s > 0 && Number.isFinite(w) && w > 0)
    .sort((a, b) => a[0] - b[0]);
}

/** Durations from `from` to `to`, evenly spaced in log10, with each tick duration in range replacing its nearest point. */
function logGrid(from: number, to: number): number[] {
  const lo = Math.log10(from);
  const hi = Math.log10(to);
  const steps = Math.max(1, Math.round((hi - lo) * stepsPerDecade));
  const grid = Array.from({ length: steps + 1 }, (_, k) => 10 ** (lo + ((hi - lo) * k) / steps));
  for (const [s] of ticks) {
    if (s < from || s > to) continue;
    let nearest = 0;
    for (let k = 1; k < grid.length; k++) {
      if (
        Math.abs(Math.log10(grid[k]!) - Math.log10(s)) < Math.abs(Math.log10(grid[nearest]!) - Math.log10(s))
      ) {
        nearest = k;
      }
    }
    grid[nearest] = s;
  }
  return grid;
}

/** Watts at `seconds`, linear in log(duration) between the two nearest points; null outside the curve. */
export function interpolate(curve: [number, number][], seconds: number): number | null {
  if (curve.length === 0) return null;
  const first = curve[0]!;
  const last = curve.at(-1)!;
  if (seconds < first[0] * 0.999 || seconds > last[0] * 1.001) return null;
  for (let i = 0; i < curve.length; i++) {
    const [s, w] = curve[i]!;
    if (s === seconds) return w;
    if (s > seconds) {
      if (i === 0) return w;
      const [s0, w0] = curve[i - 1]!;
      const t = (Math.log(seconds) - Math.log(s0)) / (Math.log(s) - Math.log(s0));
      return w0 + (w - w0) * t;
    }
  }
  return last[1];
}
