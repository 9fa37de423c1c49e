import { describe, expect, it } from 'vitest';
import { compliancePercent, type PlanWeekDay, planWeekChartConfig } from './plan-week-chart.ts';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { colors } from './theme.ts';

const week: PlanWeekDay[] = [
  { date: '2025-05-12', plannedTitle: null, plannedStress: 0, completedStress: 0 },
  { date: '2025-05-13', plannedTitle: 'Sweet spot 3×12', plannedStress: 85, completedStress: 88 },
  { date: '2025-05-14', plannedTitle: 'Endurance 90 min', plannedStress: 70, completedStress: 45 },
  { date: '2025-05-15', plannedTitle: 'VO2max 5×4', plannedStress: 95, completedStress: 0 },
  { date: '2025-05-16', plannedTitle: null, plannedStress: null, completedStress: 52 },
  { date: '2025-05-17', plannedTitle: 'Long ride 4 h', plannedStress: 220, completedStress: null },
  { date: '2025-05-18', plannedTitle: 'Endurance 2 h', plannedStress: 110, completedStress: null },
];

type Config = {
  data: { labels: string[][]; datasets: { label: string; data: (number | null)[] }[] };
  options: { plugins: { title: { text: string }; subtitle: { text: string } }; skipNull: boolean };
};

describe('planWeekChartConfig', () => {
  it('puts planned and completed stress side by side per day, coloured and labelled by compliance', () => {
    const spec = planWeekChartConfig({ days: week, today: '2025-05-16' });
    if (spec.kind !== 'chart') throw new Error('expected a chart');
    const config = spec.config as unknown as Config;
    expect(config.data.labels).toEqual([
      ['Mon', '12', 'rest'],
      ['Tue', '13', '104%'],
      ['Wed', '14', '64%'],
      ['Thu', '15', '0%'],
      ['Fri', '16', 'extra'],
      ['Sat', '17', 'next'],
      ['Sun', '18', 'next'],
    ]);
    expect(config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['Planned', [0, 85, 70, 95, null, 220, 110]],
      ['On plan (80–120%)', [null, 88, null, null, null, null, null]],
      ['Partly (50–150%)', [null, null, 45, null, null, null, null]],
      ['Off plan', [null, null, null, 0, null, null, null]],
      ['Unplanned', [null, null, null, null, 52, null, null]],
    ]);
    expect(config.options.skipNull).toBe(true);
    // 250 planned up to Friday, 185 done: 74 %.
    expect(config.options.plugins.title.text).toBe('Week of 12 May');
    expect(config.options.plugins.subtitle.text).toBe('Planned 580 TSS · done 185 · 74% so far');
  });

  it('computes compliance only against a plan', () => {
    expect(compliancePercent(100, 95)).toBe(95);
    expect(compliancePercent(100, null)).toBe(0);
    expect(compliancePercent(0, 50)).toBeNull();
    expect(compliancePercent(null, 50)).toBeNull();
  });

  it('signals an empty week', () => {
    const empty = planWeekChartConfig({
      days: week.map((d) => ({ ...d, plannedTitle: null, plannedStress: null, completedStress: null })),
    });
    expect(empty).toMatchObject({ kind: 'empty', title: 'Week of 12 May' });
  });

  it('renders to a PNG', async () => {
    const png = await createChartRenderer().renderSpec(
      planWeekChartConfig({ days: week, today: '2025-05-16' }),
    );
    expect(pngDimensions(png)).toEqual({ width: 720, height: 500 });
    const image = await decodePng(png);
    expect(image.count(colors.completed, 4)).toBeGreaterThan(500);
    expect(image.count(colors.partial, 4)).toBeGreaterThan(500);
  });
});
