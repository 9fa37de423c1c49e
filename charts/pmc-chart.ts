import type { ChartConfiguration } from 'chart.js';
import type { PmcRow } from '../metrics/pmc.ts';
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
import { dateOf, dayLabel, dayNumber } from './dates.ts';
import { colors, defaultSize, fonts } from './theme.ts';

/** Two panels need more height than the other charts at the same width. */
export const pmcSize = { width: defaultSize.width, height: 320 } as const;

/** A PMC day as drawn: the engine's PmcRow, where a missing number is a gap in the line. */
export type PmcChartDay = Pick<PmcRow, 'date'> & {
  [K in 'ctl' | 'atl' | 'tsb' | 'stress']: PmcRow[K] | null;
};

export interface PmcChartInput {
  /** Consecutive days, oldest first (gaps are drawn as gaps). */
  days: PmcChartDay[];
  /** Days after the last one, from planned workouts: drawn dashed. */
  forecast?: PmcChartDay[];
  goal?: { date: string; name: string } | null;
  title?: string | null;
  size?: ChartSize;
}

/** Form (TSB) zones, highest first; bounds are inclusive below, exclusive above. */
export const formZones = [
  { name: 'Transition', min: 25, max: Number.POSITIVE_INFINITY, color: 'rgba(179, 157, 219, 0.16)' },
  { name: 'Fresh', min: 5, max: 25, color: 'rgba(78, 168, 255, 0.15)' },
  { name: 'Neutral', min: -10, max: 5, color: 'rgba(181, 186, 193, 0.10)' },
  { name: 'Optimal', min: -30, max: -10, color: 'rgba(67, 181, 129, 0.17)' },
  { name: 'High risk', min: Number.NEGATIVE_INFINITY, max: -30, color: 'rgba(240, 71, 71, 0.18)' },
] as const;

export function formZoneOf(tsb: number): (typeof formZones)[number]['name'] {
  for (const zone of formZones) if (tsb >= zone.min) return zone.name;
  return 'High risk';
}

const zoneLabelColor = 'rgba(219, 222, 225, 0.6)';

/** Relative heights of the two panels (Chart.js stack weights); listed bottom panel first. */
const loadWeight = 3;
const formWeight = 2.2;

/**
 * The Performance Management Chart in two panels, as intervals.icu draws it: fitness (CTL), fatigue (ATL)
 * and daily stress bars on top; form (TSB) in its own panel underneath, over its shaded zones. Planned
 * days dashed, a goal marked across both panels.
 */
export function pmcChartConfig(input: PmcChartInput): ChartSpec {
  const size = input.size ?? pmcSize;
  const title = input.title === undefined ? 'Fitness, fatigue and form' : input.title;
  const days = input.days.filter((d) => isDate(d.date));
  const forecast = (input.forecast ?? []).filter((d) => isDate(d.date));
  const hasValue = (d: PmcChartDay) => [d.ctl, d.atl, d.tsb].some((v) => v !== null && Number.isFinite(v));
  if (!days.some(hasValue) && !forecast.some(hasValue)) {
    return emptySpec(title, 'No training load yet. Connect Strava or sync to see your fitness chart.', size);
  }

  // One label per calendar day from the first day to the last day, planned day or goal.
  const allDates = [...days, ...forecast].map((d) => dayNumber(d.date));
  const goalDay = input.goal && isDate(input.goal.date) ? dayNumber(input.goal.date) : null;
  const first = Math.min(...allDates);
  let last = Math.max(...allDates);
  // A goal up to 120 days past the data stretches the chart; further than that it would crush it.
  if (goalDay !== null && goalDay > last && goalDay - last <= 120) last = goalDay;
  const count = last - first + 1;
  const spansYears = dateOf(first).slice(0, 4) !== dateOf(last).slice(0, 4);
  const labels: string[] = [];
  for (let day = first; day <= last; day++) labels.push(dayLabel(dateOf(day), spansYears));

  const series = (rows: PmcChartDay[], key: 'ctl' | 'atl' | 'tsb' | 'stress') => {
    const values: (number | null)[] = Array(count).fill(null);
    for (const row of rows) {
      const index = dayNumber(row.date) - first;
      if (index >= 0 && index < count) values[index] = round(row[key]);
    }
    return values;
  };

  // Planned lines start at the last real day so they join the solid lines.
  const lastReal = days.at(-1);
  const forecastRows = forecast.length > 0 && lastReal ? [lastReal, ...forecast] : forecast;

  const tsbValues = [...series(days, 'tsb'), ...series(forecast, 'tsb')].filter(
    (v): v is number => v !== null,
  );
  const formMin = Math.min(-40, Math.floor((Math.min(...tsbValues) - 5) / 10) * 10);
  const formMax = Math.max(30, Math.ceil((Math.max(...tsbValues) + 5) / 10) * 10);
  const stressValues = [...series(days, 'stress'), ...series(forecast, 'stress')].filter(
    (v): v is number => v !== null,
  );
  // Bars use the lower ~40% of the top panel, under the lines.
  const stressMax = Math.max(50, ...stressValues) * 2.5;

  const line = (label: string, data: (number | null)[], color: string, axis: string, dashed: boolean) => ({
    type: 'line' as const,
    label,
    data,
    yAxisID: axis,
    borderColor: color,
    backgroundColor: color,
    borderWidth: dashed ? 1.5 : 2,
    borderDash: dashed ? [4, 3] : [],
    pointRadius: 0,
    tension: 0.2,
    spanGaps: false,
    pointStyle: 'line',
    order: 1,
  });

  const datasets: object[] = [
    line('Fitness (CTL)', series(days, 'ctl'), colors.fitness, 'load', false),
    line('Fatigue (ATL)', series(days, 'atl'), colors.fatigue, 'load', false),
    line('Form (TSB)', series(days, 'tsb'), colors.form, 'form', false),
    {
      type: 'bar' as const,
      label: 'Stress (TSS)',
      data: series(days, 'stress'),
      yAxisID: 'stress',
      backgroundColor: colors.stress,
      borderWidth: 0,
      barPercentage: 1,
      categoryPercentage: 0.8,
      pointStyle: 'rect',
      order: 3,
    },
  ];
  if (forecast.length > 0) {
    // One dashed "Planned" legend entry stands for the four planned series (hidden from the legend).
    const unlisted = { thresholdLegend: false };
    datasets.push(
      { ...line('Planned CTL', series(forecastRows, 'ctl'), colors.fitness, 'load', true), ...unlisted },
      { ...line('Planned ATL', series(forecastRows, 'atl'), colors.fatigue, 'load', true), ...unlisted },
      { ...line('Planned TSB', series(forecastRows, 'tsb'), colors.form, 'form', true), ...unlisted },
      { ...line('Planned', [], colors.mutedText, 'load', true), borderWidth: 2 },
      {
        ...unlisted,
        type: 'bar' as const,
        label: 'Planned stress',
        data: series(forecast, 'stress'),
        yAxisID: 'stress',
        backgroundColor: colors.plannedStress,
        borderColor: colors.stress,
        borderWidth: 1,
        barPercentage: 1,
        categoryPercentage: 0.8,
        pointStyle: 'rect',
        order: 3,
      },
    );
  }

  // Zone bands and the goal are annotations: chartjs-plugin-annotation on QuickChart, our own small
  // implementation of the same options in process (annotation-plugin.ts).
  const annotations: Record<string, object> = {};
  // The form panel's height in layout pixels (about 2/5 of what the title, legend and x axis leave):
  // a zone gets its label only where the label fits inside its band.
  const formPanelPx = ((size.height - 95) * formWeight) / (formWeight + loadWeight);
  formZones.forEach((zone, i) => {
    const yMin = Math.max(zone.min, formMin);
    const yMax = Math.min(zone.max, formMax);
    if (yMax <= yMin) return;
    annotations[`zone${i}`] = {
      type: 'box',
      drawTime: 'beforeDatasetsDraw',
      yScaleID: 'form',
      yMin,
      yMax,
      backgroundColor: zone.color,
      borderWidth: 0,
      // At the left edge of the form panel: the goal and the plan are on the right.
      label: {
        display: ((yMax - yMin) / (formMax - formMin)) * formPanelPx >= fonts.label.size + 4,
        content: zone.name,
        position: { x: 'start', y: 'center' },
        color: zoneLabelColor,
        font: fonts.label,
        padding: 2,
      },
    };
  });
  if (forecast.length > 0 && lastReal) {
    annotations['plan'] = {
      type: 'box',
      drawTime: 'beforeDatasetsDraw',
      xScaleID: 'x',
      yScaleID: 'load',
      xMin: dayNumber(lastReal.date) - first,
      xMax: count - 1,
      backgroundColor: 'rgba(255, 255, 255, 0.05)',
      borderWidth: 0,
      // At the bottom of the top panel, under the lines; the goal's label is in the panel below.
      label: {
        display: true,
        content: 'Plan',
        position: { x: 'start', y: 'end' },
        color: zoneLabelColor,
        font: fonts.label,
        padding: 2,
      },
    };
  }
  if (goalDay !== null && goalDay >= first && goalDay <= last && input.goal) {
    annotations['goal'] = {
      type: 'line',
      drawTime: 'afterDatasetsDraw',
      scaleID: 'x',
      value: goalDay - first,
      borderColor: colors.goal,
      borderWidth: 2,
      borderDash: [3, 3],
      label: {
        display: true,
        content: `Goal: ${input.goal.name.slice(0, 24)}`,
        // At the foot of the form panel: race-day form is usually high, so its low edge is free.
        position: 'end',
        backgroundColor: 'rgba(30, 31, 34, 0.85)',
        color: colors.text,
        font: fonts.label,
        padding: 3,
      },
    };
  }

  const options = baseOptions(title);
  const config = {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...options,
      plugins: { ...options.plugins, annotation: { annotations } },
      // Panels are stacked axes: on the left fitness/fatigue over form; on the right, the stress bars'
      // axis beside the top panel and an empty one beside the bottom, so both sides split alike.
      scales: {
        x: categoryAxis(null, 5),
        form: {
          ...valueAxis('TSB', { position: 'left', min: formMin, max: formMax }),
          stack: 'pmc',
          stackWeight: formWeight,
          border: { color: colors.panelBorder },
          // No label at the panel's top bound, where it would sit on the top panel's 0.
          ticks: { ...valueAxis('').ticks, stepSize: 20, maxTicksLimit: 5, includeBounds: false },
        },
        load: {
          ...valueAxis('CTL / ATL', { position: 'left', beginAtZero: true }),
          stack: 'pmc',
          stackWeight: loadWeight,
          border: { color: colors.panelBorder },
        },
        // Chart.js stacks right-hand axes in the opposite order to left-hand ones.
        stress: hiddenAxis(loadWeight, 0, round(stressMax, 0)!),
        formSide: hiddenAxis(formWeight, 0, 1),
      },
    },
  };
  return chartSpec(config as unknown as ChartConfiguration, size);
}

/** A right-hand axis that draws nothing but keeps its panel's height (see the scales above). */
function hiddenAxis(weight: number, min: number, max: number) {
  return {
    type: 'linear',
    position: 'right',
    stack: 'pmc',
    stackWeight: weight,
    min,
    max,
    ticks: { display: false },
    grid: { display: false, drawTicks: false },
    border: { display: false },
    title: { display: false },
  };
}

function isDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date);
}
