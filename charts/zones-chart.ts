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

export interface ZonesChartInput {
  kind: 'power' | 'hr';
  /** Seconds in each zone, lowest zone first. */
  seconds: number[];
  /** One label per zone, e.g. "Z2 Endurance". */
  labels: string[];
  title?: string | null;
  size?: ChartSize;
}

/** Coggan's seven power zones (percent of FTP: 55, 75, 90, 105, 120, 150). */
export const powerZoneNames = [
  'Z1 Recovery',
  'Z2 Endurance',
  'Z3 Tempo',
  'Z4 Threshold',
  'Z5 VO2max',
  'Z6 Anaerobic',
  'Z7 Neuromuscular',
];

/** Friel's heart-rate zones (percent of LTHR: 81, 90, 94, 100, 103, 106). */
export const hrZoneNames = [
  'Z1 Recovery',
  'Z2 Aerobic',
  'Z3 Tempo',
  'Z4 Sub-threshold',
  'Z5a Super-threshold',
  'Z5b Aerobic capacity',
  'Z5c Anaerobic',
];

/** Cool to hot, one colour per zone (up to 7; a longer list repeats the hottest). */
export const zoneColors = ['#8e9297', '#4ea8ff', '#43b581', '#faa61a', '#f57731', '#f04747', '#b565f2'];
/** Five-zone models (heart rate) end in red, not orange. */
export const fiveZoneColors = ['#8e9297', '#4ea8ff', '#43b581', '#faa61a', '#f04747'];

/** Time in zones as horizontal bars, each labelled with its share of the total. */
export function zonesChartConfig(input: ZonesChartInput): ChartSpec {
  const size = input.size ?? defaultSize;
  const what = input.kind === 'power' ? 'Power' : 'Heart-rate';
  const title = input.title === undefined ? `Time in ${what.toLowerCase()} zones` : input.title;
  if (input.seconds.length !== input.labels.length) {
    throw new RangeError(
      `zonesChartConfig: ${input.seconds.length} zone times for ${input.labels.length} labels`,
    );
  }
  const seconds = input.seconds.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const total = seconds.reduce((a, b) => a + b, 0);
  if (total === 0) {
    return emptySpec(
      title,
      input.kind === 'power'
        ? 'No time in power zones: this needs power data and an FTP.'
        : 'No time in heart-rate zones: this needs heart-rate data and a threshold or max heart rate.',
      size,
    );
  }
  const inHours = total > 5 * 3600;
  const scale = inHours ? 3600 : 60;
  const palette = seconds.length <= 5 ? fiveZoneColors : zoneColors;
  const labels = input.labels.map((label, i) => `${label}  ${num((seconds[i]! / total) * 100)}%`);
  const config = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: inHours ? 'Time (h)' : 'Time (min)',
          data: seconds.map((s) => round(s / scale, inHours ? 2 : 1)),
          backgroundColor: seconds.map((_, i) => palette[Math.min(i, palette.length - 1)]),
          borderWidth: 0,
          barPercentage: 0.85,
          categoryPercentage: 0.9,
        },
      ],
    },
    options: {
      ...baseOptions(title),
      indexAxis: 'y',
      plugins: { ...baseOptions(title).plugins, legend: { display: false } },
      scales: {
        x: valueAxis(inHours ? 'Time in zone (h)' : 'Time in zone (min)', {
          position: 'bottom',
          beginAtZero: true,
        }),
        y: {
          type: 'category',
          ticks: { color: colors.text, font: fonts.ticks, padding: 2 },
          grid: { display: false },
          border: { color: colors.axisBorder },
        },
      },
    },
  };
  return chartSpec(config as unknown as ChartConfiguration, size);
}
