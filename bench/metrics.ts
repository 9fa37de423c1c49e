import { performance } from 'node:perf_hooks';
import {
  analyze,
  bestSumsAllDurations,
  bestSumsBruteForce,
  parseStravaStreams,
  toSeries,
} from '../metrics/index.ts';
import { generateActivity } from '../test/fakes/strava/generate-streams.ts';

/** Median wall time of `runs` calls (after one warm-up). */
function median(runs: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * A synthetic 4-hour 1 Hz ride with every channel: the whole metric set, the exact curve at every
 * duration, the naive O(n²) curve, and the floor — one pass that only sums every channel.
 */
export async function run(): Promise<Record<string, unknown>> {
  const ride = generateActivity({ seed: 42, sport: 'Ride', durationS: 4 * 3600 });
  const raw = parseStravaStreams(ride.streams);
  const channels = Object.values(raw.channels) as number[][];
  let sink = 0;
  const floorMs = median(21, () => {
    for (const channel of channels) for (let i = 0; i < channel.length; i++) sink += channel[i]!;
    for (let i = 0; i < raw.time.length; i++) sink += raw.time[i] as number;
  });
  const options = { sport: 'Ride', thresholds: { ftp: 250, lthr: 165, maxHr: 190, restHr: 50 } };
  const metricSetMs = median(11, () => {
    sink += analyze(raw, options).stress.value;
  });
  const power = toSeries(raw).power!;
  let exact: Float64Array = new Float64Array(0);
  const curveExactMs = median(11, () => {
    exact = bestSumsAllDurations(power);
  });
  let naive: Float64Array = new Float64Array(0);
  const curveNaiveMs = median(3, () => {
    naive = bestSumsBruteForce(power);
  });
  let identical = exact.length === naive.length;
  for (let i = 0; identical && i < exact.length; i++) identical = exact[i] === naive[i];
  if (sink === Number.NEGATIVE_INFINITY) process.stdout.write('');
  const round = (x: number) => Number(x.toFixed(3));
  return {
    samples: raw.time.length,
    channels: channels.length + 1,
    floor_ms: round(floorMs),
    metric_set_ms: round(metricSetMs),
    curve_exact_ms: round(curveExactMs),
    curve_naive_ms: round(curveNaiveMs),
    metric_set_over_floor: round(metricSetMs / floorMs),
    curve_speedup_vs_naive: round(curveNaiveMs / curveExactMs),
    curve_identical: identical,
    targets: { metric_set_over_floor_max: 50, curve_speedup_vs_naive_min: 10 },
  };
}
