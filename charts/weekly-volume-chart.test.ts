import { describe, expect, it } from 'vitest';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { defaultSize, pixelRatio } from './theme.ts';
import { sportColors, weeklyVolumeChartConfig } from './weekly-volume-chart.ts';

type Config = {
  data: { labels: string[]; datasets: { label: string; data: (number | null)[]; stack: string }[] };
  options: { scales: { x: { stacked: boolean }; y: { stacked: boolean } } };
};

describe('weeklyVolumeChartConfig', () => {
  const input = {
    weeks: ['2026-11-09', '2026-11-16', '2026-11-23'],
    highlight: '2026-11-23',
    series: [
      { label: 'Ride', color: sportColors.ride!, hours: [2, 3.25, 2.5] },
      { label: 'Run', color: sportColors.run!, hours: [1, 0, 0.755] },
    ],
  };

  it('stacks hours per sport per week and marks the week shown', () => {
    const spec = weeklyVolumeChartConfig(input);
    if (spec.kind !== 'chart') throw new Error('expected a chart');
    const config = spec.config as unknown as Config;
    expect(config.data.labels).toEqual(['9 Nov', '16 Nov', '▶ 23 Nov']);
    expect(config.data.datasets.map((d) => [d.label, d.data, d.stack])).toEqual([
      ['Ride', [2, 3.25, 2.5], 'hours'],
      ['Run', [1, 0, 0.76], 'hours'],
    ]);
    expect(config.options.scales.x.stacked).toBe(true);
    expect(config.options.scales.y.stacked).toBe(true);
  });

  it('says so when there is nothing to draw', () => {
    expect(weeklyVolumeChartConfig({ ...input, series: [] }).kind).toBe('empty');
  });

  it('renders to a PNG with the ride colour drawn', async () => {
    const renderer = createChartRenderer();
    const png = await renderer.renderSpec(weeklyVolumeChartConfig(input));
    expect(pngDimensions(png)).toEqual({
      width: defaultSize.width * pixelRatio,
      height: defaultSize.height * pixelRatio,
    });
    expect((await decodePng(png)).count(sportColors.ride!)).toBeGreaterThan(500);
  });
});
