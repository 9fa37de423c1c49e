import { describe, expect, it } from 'vitest';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { fiveZoneColors, zoneColors, zonesChartConfig } from './zones-chart.ts';

const powerLabels = [
  'Z1 Active recovery',
  'Z2 Endurance',
  'Z3 Tempo',
  'Z4 Threshold',
  'Z5 VO2max',
  'Z6 Anaerobic',
  'Z7 Neuromuscular',
];

type Config = {
  type: string;
  data: { labels: string[]; datasets: { data: number[]; backgroundColor: string[] }[] };
  options: { indexAxis: string; scales: { x: { title: { text: string } } } };
};

describe('zonesChartConfig', () => {
  it('draws minutes per zone as horizontal bars labelled with their share', () => {
    const spec = zonesChartConfig({
      kind: 'power',
      seconds: [600, 1500, 900, 420, 300, 120, 30],
      labels: powerLabels,
    });
    if (spec.kind !== 'chart') throw new Error('expected a chart');
    const config = spec.config as unknown as Config;
    expect(config.type).toBe('bar');
    expect(config.options.indexAxis).toBe('y');
    expect(config.data.labels).toEqual([
      'Z1 Active recovery  16%',
      'Z2 Endurance  39%',
      'Z3 Tempo  23%',
      'Z4 Threshold  11%',
      'Z5 VO2max  8%',
      'Z6 Anaerobic  3%',
      'Z7 Neuromuscular  1%',
    ]);
    expect(config.data.datasets[0]!.data).toEqual([10, 25, 15, 7, 5, 2, 0.5]);
    expect(config.data.datasets[0]!.backgroundColor).toEqual(zoneColors);
    expect(config.options.scales.x.title.text).toBe('Time in zone (min)');
    expect(spec.config.options?.plugins?.title).toMatchObject({ text: 'Time in power zones' });
  });

  it('switches to hours for long totals and takes heart-rate zones', () => {
    const spec = zonesChartConfig({
      kind: 'hr',
      seconds: [7200, 10800, 3600, 0, 0],
      labels: ['Z1', 'Z2', 'Z3', 'Z4', 'Z5'],
    });
    if (spec.kind !== 'chart') throw new Error('expected a chart');
    const config = spec.config as unknown as Config;
    expect(config.data.datasets[0]!.data).toEqual([2, 3, 1, 0, 0]);
    expect(config.options.scales.x.title.text).toBe('Time in zone (h)');
    expect(config.data.labels[1]).toBe('Z2  50%');
    expect(config.data.datasets[0]!.backgroundColor).toEqual(fiveZoneColors);
  });

  it('signals no time in zones, and refuses mismatched labels', () => {
    const empty = zonesChartConfig({
      kind: 'hr',
      seconds: [0, 0, 0, 0, 0],
      labels: ['1', '2', '3', '4', '5'],
    });
    expect(empty).toMatchObject({ kind: 'empty', title: 'Time in heart-rate zones' });
    expect(() => zonesChartConfig({ kind: 'power', seconds: [1, 2], labels: ['Z1'] })).toThrow(RangeError);
  });

  it('renders to a PNG with each zone colour', async () => {
    const spec = zonesChartConfig({
      kind: 'power',
      seconds: [600, 1500, 900, 420, 300, 120, 60],
      labels: powerLabels,
    });
    const png = await createChartRenderer().renderSpec(spec);
    expect(pngDimensions(png)).toEqual({ width: 720, height: 500 });
    const image = await decodePng(png);
    for (const color of zoneColors) expect(image.count(color, 4)).toBeGreaterThan(200);
  });
});
