import { describe, expect, it } from 'vitest';
import { formZoneOf, type PmcChartDay, pmcChartConfig } from './pmc-chart.ts';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { background, colors } from './theme.ts';

/** 90 days of a realistic week pattern (rest Monday, long Saturday), PMC by the usual exponential loop. */
function pmcDays(count: number, from = '2025-02-01', seed = { ctl: 30, atl: 30 }): PmcChartDay[] {
  const kCtl = 1 - Math.exp(-1 / 42);
  const kAtl = 1 - Math.exp(-1 / 7);
  let { ctl, atl } = seed;
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const weekday = i % 7;
    const stress =
      weekday === 0 ? 0 : weekday === 6 ? 180 + (i % 3) * 20 : weekday === 3 ? 110 : 60 + ((i * 7) % 30);
    const tsb = ctl - atl;
    ctl += (stress - ctl) * kCtl;
    atl += (stress - atl) * kAtl;
    return { date: new Date(start + i * 86_400_000).toISOString().slice(0, 10), ctl, atl, tsb, stress };
  });
}

type Dataset = {
  label: string;
  type: string;
  data: (number | null)[];
  yAxisID: string;
  borderDash?: number[];
};
type Config = {
  data: { labels: string[]; datasets: Dataset[] };
  options: {
    plugins: { annotation: { annotations: Record<string, Record<string, unknown>> } };
    scales: Record<string, { min?: number; max?: number; title?: { text: string } }>;
  };
};

function configOf(spec: ReturnType<typeof pmcChartConfig>): Config {
  if (spec.kind !== 'chart') throw new Error('expected a chart');
  return spec.config as unknown as Config;
}

describe('pmcChartConfig', () => {
  it('plots CTL, ATL, TSB and stress per day with labelled axes and the form zones shaded', () => {
    const days = pmcDays(90);
    const spec = pmcChartConfig({ days });
    expect(spec.width).toBe(360);
    expect(spec.height).toBe(320);
    const config = configOf(spec);
    expect(config.data.labels).toHaveLength(90);
    expect(config.data.labels[0]).toBe('1 Feb');
    expect(config.data.labels[89]).toBe('1 May');
    expect(config.data.datasets.map((d) => d.label)).toEqual([
      'Fitness (CTL)',
      'Fatigue (ATL)',
      'Form (TSB)',
      'Stress (TSS)',
    ]);
    const [ctl, atl, tsb, stress] = config.data.datasets;
    expect(ctl!.data[89]).toBe(Math.round(days[89]!.ctl! * 10) / 10);
    expect(atl!.data[0]).toBe(Math.round(days[0]!.atl! * 10) / 10);
    expect(tsb!.yAxisID).toBe('form');
    expect(stress!.type).toBe('bar');
    expect(stress!.data.slice(0, 7)).toEqual([0, 67, 74, 110, 88, 65, 180]);
    expect(config.options.scales['load']!.title!.text).toBe('CTL / ATL');
    expect(config.options.scales['form']!.title!.text).toBe('TSB');
    // Form has its own panel under fitness and fatigue: two axes stacked on the left, not overlaid.
    const panel = (id: string) =>
      config.options.scales[id] as unknown as { stack?: string; position: string };
    expect([panel('load').stack, panel('load').position]).toEqual(['pmc', 'left']);
    expect([panel('form').stack, panel('form').position]).toEqual(['pmc', 'left']);

    const tsbValues = days.map((d) => d.tsb!);
    const formMin = config.options.scales['form']!.min!;
    const formMax = config.options.scales['form']!.max!;
    expect(formMin).toBeLessThanOrEqual(Math.min(...tsbValues) - 5);
    expect(formMax).toBeGreaterThanOrEqual(Math.max(...tsbValues) + 5);
    const zones = config.options.plugins.annotation.annotations;
    expect(
      Object.values(zones).map((z) => [(z['label'] as { content: string }).content, z['yMin'], z['yMax']]),
    ).toEqual([
      ['Transition', 25, formMax],
      ['Fresh', 5, 25],
      ['Neutral', -10, 5],
      ['Optimal', -30, -10],
      ['High risk', formMin, -30],
    ]);
    // Nothing in it a QuickChart server could not receive.
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('draws planned days dashed from the last real day, marks the goal and extends the axis to it', () => {
    const all = pmcDays(111);
    const days = all.slice(0, 90);
    const forecast = all.slice(90, 104);
    const config = configOf(
      pmcChartConfig({ days, forecast, goal: { date: '2025-05-25', name: 'Gran fondo' } }),
    );
    // 1 Feb .. 25 May: the goal is 11 days past the last planned day.
    expect(config.data.labels).toHaveLength(114);
    const planned = config.data.datasets.filter((d) => d.label.startsWith('Planned'));
    expect(planned.map((d) => d.label)).toEqual([
      'Planned CTL',
      'Planned ATL',
      'Planned TSB',
      'Planned',
      'Planned stress',
    ]);
    // One dashed "Planned" legend entry; the planned series themselves stay out of the legend.
    expect(planned.map((d) => (d as { thresholdLegend?: boolean }).thresholdLegend)).toEqual([
      false,
      false,
      false,
      undefined,
      false,
    ]);
    expect(planned[3]!.borderDash).toEqual([4, 3]);
    const plannedCtl = planned[0]!;
    expect(plannedCtl.borderDash).toEqual([4, 3]);
    expect(plannedCtl.data[88]).toBeNull();
    expect(plannedCtl.data[89]).toBe(Math.round(days[89]!.ctl! * 10) / 10);
    expect(plannedCtl.data[103]).toBe(Math.round(forecast[13]!.ctl! * 10) / 10);
    expect(plannedCtl.data[104]).toBeNull();
    const goal = config.options.plugins.annotation.annotations['goal']!;
    expect(goal['value']).toBe(113);
    expect((goal['label'] as { content: string }).content).toBe('Goal: Gran fondo');
  });

  it('names the form zone of a TSB value', () => {
    expect([30, 25, 24.9, 5, 0, -10, -10.1, -30, -30.1].map(formZoneOf)).toEqual([
      'Transition',
      'Transition',
      'Fresh',
      'Fresh',
      'Neutral',
      'Neutral',
      'Optimal',
      'Optimal',
      'High risk',
    ]);
  });

  it('signals empty input instead of configuring a blank chart', () => {
    expect(pmcChartConfig({ days: [] })).toMatchObject({ kind: 'empty', title: 'Fitness, fatigue and form' });
    const blank = pmcChartConfig({
      days: [{ date: '2025-01-01', ctl: null, atl: null, tsb: null, stress: null }],
    });
    expect(blank.kind).toBe('empty');
  });

  it('renders a readable PNG on the dark background with the lines drawn', async () => {
    const all = pmcDays(111);
    const spec = pmcChartConfig({
      days: all.slice(0, 90),
      forecast: all.slice(90),
      goal: { date: '2025-05-21', name: 'Spring gran fondo' },
    });
    const png = await createChartRenderer().renderSpec(spec);
    expect(pngDimensions(png)).toEqual({ width: 720, height: 640 });
    const image = await decodePng(png);
    expect(image.pixel(2, 2)).toBe(background);
    expect(image.count(colors.fitness, 30)).toBeGreaterThan(300);
    expect(image.count(colors.fatigue, 30)).toBeGreaterThan(300);
    expect(image.count(colors.form, 30)).toBeGreaterThan(300);
  });

  it('draws form in its own panel under fitness and fatigue, at twice the density', async () => {
    const all = pmcDays(90);
    const png = await createChartRenderer().renderSpec(pmcChartConfig({ days: all }));
    const image = await decodePng(png);
    expect([image.width, image.height]).toEqual([720, 640]);
    // Below the legend (the top 130 px), the panels split at about 62% of the plot's height: fitness
    // and fatigue only above the split, form only below it.
    const split = 400;
    expect(image.count(colors.fitness, 20, 130, split)).toBeGreaterThan(200);
    expect(image.count(colors.fitness, 20, split + 16, 640)).toBe(0);
    expect(image.count(colors.form, 20, split + 16, 640)).toBeGreaterThan(200);
    expect(image.count(colors.form, 20, 130, split - 16)).toBe(0);
  });
});
