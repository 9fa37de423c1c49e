import type { ChartConfiguration } from 'chart.js';
import {
  baseOptions,
  type ChartSize,
  type ChartSpec,
  categoryAxis,
  chartSpec,
  emptySpec,
  round,
  valueAxis,
} from './chart-spec.ts';
import { dayLabel } from './dates.ts';
import { defaultSize } from './theme.ts';

export interface WeeklyVolumeInput {
  /** The Monday of each week, oldest first. */
  weeks: string[];
  /** Per sport (legend label), hours per week, in the order of `weeks`. */
  series: { label: string; color: string; hours: number[] }[];
  /** The week to mark (the one /week shows). */
  highlight?: string | null;
  title?: string | null;
  size?: ChartSize;
}

/** Colours per sport, distinct on the dark theme. */
export const sportColors: Record<string, string> = {
  ride: '#4ea8ff',
  run: '#ff9f43',
  walk: '#a3cb38',
  swim: '#4fd1a5',
  row: '#c38dff',
  ski: '#e0e0e0',
  strength: '#ff6b9a',
  other: '#b5bac1',
};

/** Hours per week stacked by sport, the last weeks side by side (for /week). */
export function weeklyVolumeChartConfig(input: WeeklyVolumeInput): ChartSpec {
  const size = input.size ?? defaultSize;
  const title =
    input.title === undefined ? `Hours per week by sport — last ${input.weeks.length} weeks` : input.title;
  const any = input.series.some((s) => s.hours.some((h) => h > 0));
  if (!any) return emptySpec(title, 'No workouts in these weeks.', size);
  const options = baseOptions(title);
  const config: ChartConfiguration = {
    type: 'bar',
    data: {
      labels: input.weeks.map((monday) =>
        monday === input.highlight ? `▶ ${dayLabel(monday)}` : dayLabel(monday),
      ),
      datasets: input.series.map((s) => ({
        label: s.label,
        data: s.hours.map((h) => round(h, 2)),
        backgroundColor: s.color,
        borderWidth: 0,
        stack: 'hours',
      })),
    },
    options: {
      ...options,
      plugins: {
        ...options.plugins,
        legend: {
          ...options.plugins.legend,
          labels: { ...options.plugins.legend.labels, usePointStyle: false },
        },
      },
      scales: {
        // Twelve date labels do not fit 360 px: every other week is labelled (the bars keep their order).
        x: { ...categoryAxis(null, 6), stacked: true },
        y: { ...valueAxis('Hours', { beginAtZero: true }), stacked: true },
      },
    } as ChartConfiguration['options'],
  };
  return chartSpec(config, size);
}
