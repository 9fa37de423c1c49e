import { describe, expect, it } from 'vitest';
import { interpolate, powerCurveChartConfig } from './power-curve-chart.ts';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { colors } from './theme.ts';

/** A critical-power shaped curve (CP + W′/t, capped by peak power) at every second to 60 s, then log-spaced. */
function curve(cp: number, wPrime: number, peak: number, maxS: number): [number, number][] {
  const durations = new Set<number>();
  for (let s = 1; s <= Math.min(60, maxS); s++) durations.add(s);
  for (let x = Math.log10(60); 10 ** x <= maxS; x += 1 / 30) durations.add(Math.round(10 ** x));
  for (const s of [300, 1200, 3600, maxS]) if (s <= maxS) durations.add(s);
  return [...durations].sort((a, b) => a - b).map((s) => [s, Math.min(peak, cp + wPrime / s)]);
}

type Config = {
  data: { labels: string[]; datasets: { label: string; data: (number | null)[]; borderDash: number[] }[] };
  options: {
    plugins: { subtitle: { text: string }; legend: { display: boolean } };
    scales: { x: { grid: { color: string[] }; title: { text: string } }; y: { title: { text: string } } };
  };
};
const configOf = (spec: ReturnType<typeof powerCurveChartConfig>) => {
  if (spec.kind !== 'chart') throw new Error('expected a chart');
  return spec.config as unknown as Config;
};

describe('powerCurveChartConfig', () => {
  it('spaces durations logarithmically and labels 5s, 1m, 5m, 20m, 1h exactly where they fall', () => {
    const period = curve(250, 18_000, 900, 3600);
    const config = configOf(powerCurveChartConfig({ period, periodLabel: 'Last 90 days' }));
    const labels = config.data.labels;
    // 1 s .. 1 h is 3.556 decades at 20 points per decade.
    expect(labels).toHaveLength(72);
    expect(labels.filter(Boolean)).toEqual(['1s', '5s', '30s', '1m', '5m', '20m', '1h']);
    const at = (label: string) => config.data.datasets[0]!.data[labels.indexOf(label)];
    expect(at('5s')).toBe(900);
    expect(at('1m')).toBe(550);
    expect(at('5m')).toBe(310);
    expect(at('20m')).toBe(265);
    expect(at('1h')).toBe(255);
    // Grid lines only at labelled durations.
    expect(config.options.scales.x.grid.color.filter((c) => c !== 'rgba(0, 0, 0, 0)')).toHaveLength(7);
    expect(config.options.scales.x.title.text).toBe('Duration (log scale)');
    expect(config.options.scales.y.title.text).toBe('Power (W)');
    expect(config.options.plugins.subtitle.text).toBe(
      '5 s 900 W · 1 min 550 W · 5 min 310 W · 20 min 265 W · 1 h 255 W',
    );
    expect(config.options.plugins.legend.display).toBe(false);
  });

  it('draws the all-time curve dashed, beyond the period where it is longer', () => {
    const config = configOf(
      powerCurveChartConfig({
        period: curve(250, 18_000, 900, 3600),
        allTime: curve(275, 20_000, 1050, 10_800),
      }),
    );
    expect(config.data.datasets.map((d) => [d.label, d.borderDash])).toEqual([
      ['This period', []],
      ['All time', [6, 4]],
    ]);
    expect(config.data.labels.filter(Boolean).slice(-3)).toEqual(['1h', '2h', '3h']);
    expect(config.data.datasets[0]!.data.at(-1)).toBeNull();
    expect(config.data.datasets[1]!.data.at(-1)).toBe(277);
    expect(config.options.plugins.legend.display).toBe(true);
  });

  it('interpolates linearly in log(duration) and never extrapolates', () => {
    const points: [number, number][] = [
      [10, 500],
      [1000, 300],
    ];
    expect(interpolate(points, 100)).toBe(400);
    expect(interpolate(points, 10)).toBe(500);
    expect(interpolate(points, 5)).toBeNull();
    expect(interpolate(points, 2000)).toBeNull();
  });

  it('signals a period without power', () => {
    expect(powerCurveChartConfig({ period: [] })).toMatchObject({
      kind: 'empty',
      title: 'Power-duration curve',
    });
    expect(powerCurveChartConfig({ period: [[5, 0]], allTime: [] }).kind).toBe('empty');
  });

  it('renders to a PNG with the curve drawn', async () => {
    const spec = powerCurveChartConfig({
      period: curve(250, 18_000, 900, 3600),
      allTime: curve(275, 20_000, 1050, 18_000),
    });
    const png = await createChartRenderer().renderSpec(spec);
    expect(pngDimensions(png)).toEqual({ width: 720, height: 500 });
    expect((await decodePng(png)).count(colors.power, 20)).toBeGreaterThan(1000);
  });
});
