import type { ChartConfiguration } from 'chart.js';
import { num } from '../lib/format.ts';
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
import { dayLabel, dayNumber, weekdayLabel } from './dates.ts';
import { colors, defaultSize, fonts } from './theme.ts';

export interface PlanWeekDay {
  date: string;
  /** What was planned ("Tempo 60 min"); null or empty on a rest day. */
  plannedTitle?: string | null;
  plannedStress: number | null;
  completedStress: number | null;
}

export interface PlanWeekChartInput {
  /** The days of the week, Monday first (any number of consecutive days works). */
  days: PlanWeekDay[];
  /** Days after this one are upcoming, not missed. */
  today?: string | null;
  title?: string | null;
  size?: ChartSize;
}

/** completed / planned in percent; null when nothing was planned. */
export function compliancePercent(planned: number | null, completed: number | null): number | null {
  if (planned === null || !Number.isFinite(planned) || planned <= 0) return null;
  const done = completed !== null && Number.isFinite(completed) && completed > 0 ? completed : 0;
  return Math.round((done / planned) * 100);
}

/**
 * A week of the plan: per day the planned stress (outlined bar) next to the completed stress (solid,
 * coloured by compliance), with the workout and the compliance under the day.
 */
export function planWeekChartConfig(input: PlanWeekChartInput): ChartSpec {
  const size = input.size ?? defaultSize;
  const days = [...input.days].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
  const first = days[0];
  const defaultTitle = first ? `Week of ${dayLabel(first.date)}` : 'This week';
  const plannedAny = days.some((d) => (d.plannedStress ?? 0) > 0 || !!d.plannedTitle);
  const doneAny = days.some((d) => (d.completedStress ?? 0) > 0);
  if (!plannedAny && !doneAny) {
    return emptySpec(
      input.title === undefined ? defaultTitle : input.title,
      'Nothing planned or completed this week yet.',
      size,
    );
  }
  const today = input.today ? dayNumber(input.today) : null;
  const upcoming = (date: string) => today !== null && dayNumber(date) > today;

  // Seven columns at a phone's width leave about 45 px each: the weekday, the date and one short word.
  // The workouts' titles are in the reply's text.
  const labels = days.map((d) => {
    const percent = compliancePercent(d.plannedStress, d.completedStress);
    const planned = !!d.plannedTitle?.trim() || (d.plannedStress ?? 0) > 0;
    let status: string;
    if (upcoming(d.date)) status = planned ? 'next' : '';
    else if (percent !== null) status = `${percent}%`;
    else if ((d.completedStress ?? 0) > 0) status = 'extra';
    else status = planned ? 'done?' : 'rest';
    return [weekdayLabel(d.date), dayLabel(d.date).split(' ')[0]!, status];
  });

  // Totals count days up to today, so a week in progress is not shown as a failure.
  const counted = days.filter((d) => !upcoming(d.date));
  const plannedSoFar = counted.reduce((sum, d) => sum + (d.plannedStress ?? 0), 0);
  const doneSoFar = counted.reduce((sum, d) => sum + (d.completedStress ?? 0), 0);
  const plannedWeek = days.reduce((sum, d) => sum + (d.plannedStress ?? 0), 0);
  const weekPercent = compliancePercent(plannedSoFar, doneSoFar);
  const summary =
    `Planned ${num(plannedWeek)} TSS · done ${num(doneSoFar)}` +
    (weekPercent !== null ? ` · ${weekPercent}% so far` : '');
  const title = input.title === undefined ? defaultTitle : input.title;

  // Completed bars are split by how they compare with the plan, so the legend explains the colours;
  // skipNull keeps the planned and completed bars side by side whichever dataset holds the value.
  const groups = [
    {
      label: 'On plan (80–120%)',
      color: colors.completed,
      test: (p: number | null) => p !== null && p >= 80 && p <= 120,
    },
    {
      label: 'Partly (50–150%)',
      color: colors.partial,
      test: (p: number | null) => p !== null && p >= 50 && p <= 150 && (p < 80 || p > 120),
    },
    {
      label: 'Off plan',
      color: colors.missed,
      test: (p: number | null) => p !== null && (p < 50 || p > 150),
    },
    { label: 'Unplanned', color: colors.fitness, test: (p: number | null) => p === null },
  ];
  const completed = groups
    .map((group) => ({
      label: group.label,
      data: days.map((d) => {
        if (upcoming(d.date) || !group.test(compliancePercent(d.plannedStress, d.completedStress)))
          return null;
        const value = round(d.completedStress, 0);
        return value !== null && (value > 0 || group.label !== 'Unplanned') ? value : null;
      }),
      backgroundColor: group.color,
      borderWidth: 0,
      barPercentage: 0.9,
      categoryPercentage: 0.7,
      pointStyle: 'rect',
    }))
    .filter((dataset) => dataset.data.some((v) => v !== null));

  const options = baseOptions(title);
  const config = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'Planned',
          data: days.map((d) => round(d.plannedStress, 0)),
          backgroundColor: colors.planned,
          borderColor: colors.plannedBorder,
          borderWidth: 1.5,
          barPercentage: 0.9,
          categoryPercentage: 0.7,
          pointStyle: 'rect',
        },
        ...completed,
      ],
    },
    options: {
      ...options,
      skipNull: true,
      plugins: {
        ...options.plugins,
        subtitle: {
          display: true,
          text: summary,
          color: colors.mutedText,
          font: fonts.legend,
          padding: { bottom: 4 },
        },
      },
      scales: {
        x: {
          ...categoryAxis(null, 7),
          ticks: { color: colors.text, font: fonts.ticks, autoSkip: false, maxRotation: 0 },
        },
        y: valueAxis('Stress (TSS)', { position: 'left', beginAtZero: true }),
      },
    },
  };
  return chartSpec(config as unknown as ChartConfiguration, size);
}
