import { describe, expect, it } from 'vitest';
import { activityChartConfig } from './activity-chart.ts';
import { createChartRenderer, pngDimensions } from './renderer.ts';
import { decodePng } from './test-png.ts';
import { colors } from './theme.ts';

type Point = { x: number; y: number | null };
type Config = {
  data: { datasets: { label: string; data: Point[]; yAxisID: string }[] };
  options: {
    scales: Record<
      string,
      { position?: string; reverse?: boolean; min?: number; max?: number; title: { text: string } }
    >;
  };
};
const configOf = (spec: ReturnType<typeof activityChartConfig>) => {
  if (spec.kind !== 'chart') throw new Error('expected a chart');
  return spec.config as unknown as Config;
};

/** A 1-hour ride at 1 Hz: warm-up, 5-minute intervals at 300 W, a 2-minute stop at 30 min. */
function ride() {
  const time: number[] = [];
  const power: number[] = [];
  const hr: number[] = [];
  const speed: number[] = [];
  let heart = 95;
  for (let t = 0; t < 3600; t++) {
    if (t >= 1800 && t < 1920) continue;
    const hard = Math.floor(t / 300) % 2 === 1 && t > 600 && t < 3000;
    time.push(t);
    power.push(Math.max(0, (t < 600 ? 150 + t / 10 : hard ? 300 : 180) + 25 * Math.sin(t / 7)));
    heart += ((hard ? 172 : 142) - heart) * 0.02;
    hr.push(Math.round(heart));
    speed.push(hard ? 11.5 : 9 + Math.sin(t / 50));
  }
  return { time, power, hr, speed };
}

describe('activityChartConfig', () => {
  it('plots power and heart rate over elapsed minutes, averaged into at most 600 points', () => {
    const { time, power, hr, speed } = ride();
    const spec = activityChartConfig({ time_s: time, power, hr, speed, sport: 'Ride', units: 'metric' });
    const config = configOf(spec);
    expect(config.data.datasets.map((d) => [d.label, d.yAxisID])).toEqual([
      ['Power (W)', 'primary'],
      ['Heart rate (bpm)', 'hr'],
    ]);
    expect(config.options.scales['x']).toMatchObject({
      min: 0,
      max: 60,
      title: { text: 'Elapsed time (min)' },
    });
    expect(config.options.scales['primary']!.title.text).toBe('Power (W)');
    expect(config.options.scales['hr']).toMatchObject({
      position: 'right',
      title: { text: 'Heart rate (bpm)' },
    });
    const points = config.data.datasets[0]!.data;
    // 600 buckets of 6 s over 3599 s, less the 20 inside the stop, plus the last sample and one gap marker.
    expect(points).toHaveLength(582);
    const gaps = points.filter((p) => p.y === null);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.x).toBeGreaterThan(29.9);
    expect(gaps[0]!.x).toBeLessThan(32);
    // The first bucket holds seconds 0..5: its mean time and mean power.
    const first = power.slice(0, 6).reduce((a, b) => a + b, 0) / 6;
    expect(points[0]).toEqual({ x: Math.round((2.5 / 60) * 1000) / 1000, y: Math.round(first) });
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('shows pace on a reversed axis for a run without power, in the athlete’s units', () => {
    const time = Array.from({ length: 1800 }, (_, i) => i);
    const speed = time.map(() => 1000 / 300); // 5:00 per km
    const metric = configOf(activityChartConfig({ time_s: time, speed, sport: 'TrailRun', units: 'metric' }));
    expect(metric.data.datasets[0]!.label).toBe('Pace (min/km)');
    expect(metric.data.datasets[0]!.data[0]!.y).toBe(5);
    expect(metric.options.scales['primary']).toMatchObject({
      reverse: true,
      title: { text: 'Pace (min/km)' },
      // Decimal minutes, labelled m:ss by the renderer.
      ticks: { thresholdFormat: 'minsec' },
    });
    const imperial = configOf(activityChartConfig({ time_s: time, speed, sport: 'Run', units: 'imperial' }));
    expect(imperial.data.datasets[0]!.label).toBe('Pace (min/mi)');
    expect(imperial.data.datasets[0]!.data[0]!.y).toBe(8.05); // 1609.344 m at 3.333 m/s = 8.047 min
    const swim = configOf(
      activityChartConfig({ time_s: time, speed: time.map(() => 1), sport: 'Swim', units: 'metric' }),
    );
    expect(swim.data.datasets[0]!.label).toBe('Pace (min/100 m)');
    expect(swim.data.datasets[0]!.data[0]!.y).toBe(1.67);
  });

  it('shows speed for a ride without power, in km/h or mph', () => {
    const time = [0, 1, 2, 3];
    const speed = [10, 10, 10, 10];
    const metric = configOf(
      activityChartConfig({ time_s: time, speed, sport: 'GravelRide', units: 'metric' }),
    );
    expect(metric.data.datasets[0]!.label).toBe('Speed (km/h)');
    expect(metric.data.datasets[0]!.data.map((p) => p.y)).toEqual([36, 36, 36, 36]);
    const imperial = configOf(activityChartConfig({ time_s: time, speed, sport: 'Ride', units: 'imperial' }));
    expect(imperial.data.datasets[0]!.data[0]!.y).toBe(22.4);
  });

  it('puts heart rate alone on the left axis', () => {
    const time = [0, 60, 120];
    const config = configOf(
      activityChartConfig({ time_s: time, hr: [120, 130, 140], sport: 'Yoga', units: 'metric' }),
    );
    expect(config.options.scales['hr']!.position).toBe('left');
    expect(config.data.datasets[0]!.data.map((p) => p.y)).toEqual([120, 130, 140]);
  });

  it('signals an activity with nothing to chart', () => {
    expect(activityChartConfig({ time_s: [], sport: 'Ride', units: 'metric' }).kind).toBe('empty');
    const zeros = activityChartConfig({
      time_s: [0, 1],
      power: [0, 0],
      hr: [null, null],
      sport: 'Ride',
      units: 'metric',
    });
    expect(zeros.kind).toBe('empty');
  });

  it('renders a 1-hour ride to a PNG with the power and heart-rate lines drawn', async () => {
    const { time, power, hr } = ride();
    const spec = activityChartConfig({
      time_s: time,
      power,
      hr,
      sport: 'Ride',
      units: 'metric',
      title: 'Morning ride',
    });
    const png = await createChartRenderer().renderSpec(spec);
    expect(pngDimensions(png)).toEqual({ width: 720, height: 500 });
    const image = await decodePng(png);
    expect(image.count(colors.power, 20)).toBeGreaterThan(500);
    expect(image.count(colors.heartRate, 20)).toBeGreaterThan(300);
  });
});
