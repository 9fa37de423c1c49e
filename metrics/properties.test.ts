import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import {
  bestSumsAllDurations,
  bestSumsAt,
  bestSumsAtDirect,
  bestSumsBruteForce,
  curveGrid,
  curveGridUpTo,
  powerCurve,
  reportedDurations,
} from './mean-max.ts';
import { type RawStreams, StreamError } from './streams.ts';

const watts = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.double({ min: 0, max: 1500, noNaN: true })),
  {
    minLength: 1,
    maxLength: 400,
  },
);

describe('mean-max curve properties', () => {
  it('equals the brute-force reference exactly on random series', () => {
    fc.assert(
      fc.property(watts, (values) => {
        const series = Float64Array.from(values);
        expect(Array.from(bestSumsAllDurations(series))).toEqual(Array.from(bestSumsBruteForce(series)));
      }),
      { numRuns: 300 },
    );
  });

  // Strictly, a mean-max curve can rise: [1, 0, 1] has a best 2 s mean of 0.5 and a best 3 s mean of 0.67.
  // What always holds: the best sum never falls with duration, and MMP(d) ≥ MMP(k·d) (a k·d window splits
  // into k windows of d, one of which is at least its mean). Repeated surges make real rides rise slightly too,
  // so the curve is reported exact, not smoothed into an envelope.
  it('best sums never fall with duration, and MMP(d) ≥ MMP(k·d)', () => {
    fc.assert(
      fc.property(watts, (values) => {
        const best = bestSumsAllDurations(Float64Array.from(values));
        const n = best.length - 1;
        for (let d = 2; d <= n; d++) expect(best[d]!).toBeGreaterThanOrEqual(best[d - 1]!);
        for (let d = 1; d <= n; d++) {
          for (let k = 2; k * d <= n; k++)
            expect(best[d]! / d).toBeGreaterThanOrEqual(best[k * d]! / (k * d) - 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('equals the brute-force reference with missing (NaN) seconds, over several pruning groups', () => {
    const withGaps = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constant(Number.NaN), fc.constant(Number.NaN)),
      { minLength: 1, maxLength: 1500 },
    );
    fc.assert(
      fc.property(withGaps, (values) => {
        const series = Float64Array.from(values);
        expect(Array.from(bestSumsAllDurations(series))).toEqual(Array.from(bestSumsBruteForce(series)));
      }),
      { numRuns: 60 },
    );
  });

  it('handles sparse efforts (long zeros with short spikes) exactly', () => {
    const series = new Float64Array(5000);
    for (let i = 100; i < 5000; i += 397) series[i] = 900 + (i % 7);
    expect(Array.from(bestSumsAllDurations(series))).toEqual(Array.from(bestSumsBruteForce(series)));
  });
});

describe('the power curve on the shared grid (§8)', () => {
  /** A series cut into segments at random points (pauses), as [from, to) ranges. */
  const segmented = fc
    .record({
      values: fc.array(fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constant(Number.NaN)), {
        minLength: 1,
        maxLength: 700,
      }),
      cuts: fc.array(fc.integer({ min: 1, max: 699 }), { maxLength: 6 }),
    })
    .map(({ values, cuts }) => {
      const points = [...new Set(cuts.filter((c) => c < values.length))].sort((a, b) => a - b);
      const bounds = [0, ...points, values.length];
      const ranges = bounds.slice(1).map((to, i): [number, number] => [bounds[i]!, to]);
      return { values: Float64Array.from(values), ranges };
    });

  /** Brute force: every window of every grid duration inside each segment, then the running maximum. */
  function bruteCurve(values: Float64Array, ranges: [number, number][]): [number, number][] {
    const longest = Math.max(...ranges.map(([a, b]) => b - a));
    const raw = curveGridUpTo(longest).map((d) => {
      let best = -1;
      for (const [from, to] of ranges)
        for (let i = from; i + d <= to; i++) {
          let sum = 0;
          // Not Math.max: a missing second (NaN) counts as 0 W.
          // biome-ignore lint/complexity/useMathMinMax: NaN handling
          for (let j = i; j < i + d; j++) sum += values[j]! > 0 ? values[j]! : 0;
          best = Math.max(best, sum);
        }
      return [d, best] as const;
    });
    const curve: [number, number][] = [];
    let held = -1;
    for (let k = raw.length - 1; k >= 0; k--) {
      const [d, sum] = raw[k]!;
      if (sum < 0) continue;
      held = Math.max(held, sum / d);
      curve.unshift([d, held]);
    }
    return curve;
  }

  it('equals brute force over segments, never rises, and ends at the longest segment', () => {
    fc.assert(
      fc.property(segmented, ({ values, ranges }) => {
        const curve = powerCurve(values, ranges);
        const brute = bruteCurve(values, ranges);
        expect(curve.map(([d]) => d)).toEqual(brute.map(([d]) => d));
        for (const [i, [, w]] of curve.entries()) expect(w).toBeCloseTo(brute[i]![1], 9);
        for (let i = 1; i < curve.length; i++) expect(curve[i]![1]).toBeLessThanOrEqual(curve[i - 1]![1]);
      }),
      { numRuns: 150 },
    );
  });

  it('the pruned sums equal the direct ones bit for bit, at any durations', () => {
    fc.assert(
      fc.property(segmented, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }), (input, picks) => {
        const durations = [...new Set(picks)].sort((a, b) => a - b);
        expect(Array.from(bestSumsAt(input.values, durations, input.ranges))).toEqual(
          Array.from(bestSumsAtDirect(input.values, durations, input.ranges)),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('one grid for every activity: 1–60 s by the second, then log-spaced, the reported durations on it', () => {
    expect(curveGrid.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const d of reportedDurations) expect(curveGrid).toContain(d);
    for (let i = 60; i < curveGrid.length; i++) {
      expect(curveGrid[i]!).toBeGreaterThan(curveGrid[i - 1]!);
      expect(curveGrid[i]! / curveGrid[i - 1]!).toBeLessThan(1.09); // at most one 30th of a decade apart
    }
    // Two activities' curves share their durations, so a period's curve is the per-duration maximum.
    const a = powerCurve(Float64Array.from({ length: 4000 }, (_, i) => 200 + (i % 97)));
    const b = powerCurve(Float64Array.from({ length: 2500 }, (_, i) => 250 - (i % 13)));
    const shared = new Set(a.map(([d]) => d));
    expect(b.every(([d]) => shared.has(d))).toBe(true);
  });
});

describe('metric properties', () => {
  const ride = fc.record({
    watts: fc.array(fc.option(fc.integer({ min: 0, max: 1200 }), { nil: null }), {
      minLength: 30,
      maxLength: 600,
    }),
    hrBase: fc.integer({ min: 90, max: 170 }),
  });

  // NP is the fourth-power mean of the 30 s rolling averages, so NP ≥ their plain mean always (power-mean
  // inequality). Against the average of all seconds it can fall short when a burst sits in the first or last
  // 29 s (those seconds are in fewer windows); on realistic rides it holds (next test, and the fixtures).
  it('NP ≥ the mean of its rolling averages; zones sum to the seconds with that channel', () => {
    fc.assert(
      fc.property(ride, ({ watts: w, hrBase }) => {
        const n = w.length;
        const heartrate = w.map((v, i) => (i % 11 === 0 ? null : hrBase + ((v ?? 0) % 20)));
        const raw: RawStreams = {
          time: Array.from({ length: n }, (_, i) => i),
          channels: { watts: w, heartrate },
        };
        const m = analyze(raw, { sport: 'Ride', thresholds: { ftp: 250, lthr: 160 } });
        if (m.power) {
          const values = w.map((v) => v ?? 0);
          let rollingSum = 0;
          for (let i = 29; i < n; i++)
            rollingSum += values.slice(i - 29, i + 1).reduce((a, b) => a + b, 0) / 30;
          expect(m.power.np! + 1e-9).toBeGreaterThanOrEqual(rollingSum / (n - 29));
          const withPower = w.filter((v) => v !== null).length;
          expect(m.zones.power!.reduce((a, b) => a + b, 0)).toBe(withPower);
        }
        const withHr = heartrate.filter((v) => v !== null).length;
        expect(m.zones.hr!.reduce((a, b) => a + b, 0)).toBe(withHr);
      }),
      { numRuns: 150 },
    );
  });

  it('on realistic rides NP ≥ average power', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        let x = seed;
        const random = () => {
          x = (x * 48271) % 2147483647;
          return x / 2147483647;
        };
        const w = Array.from({ length: 1200 }, (_, i) =>
          Math.round(180 + 60 * Math.sin(i / 50) + random() * 80 + (i % 300 < 20 ? 250 : 0)),
        );
        const m = analyze({ time: w.map((_, i) => i), channels: { watts: w } }, { sport: 'Ride' });
        expect(m.power!.np!).toBeGreaterThanOrEqual(m.power!.avg);
      }),
      { numRuns: 30 },
    );
  });
});

describe('hostile streams: a result or a clear error, never a throw from deep inside, never a NaN', () => {
  const noNaN = (value: unknown) =>
    expect(
      JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? 'NOT-FINITE' : v)),
    ).not.toContain('NOT-FINITE');
  const cases: [string, RawStreams][] = [
    ['empty', { time: [], channels: {} }],
    ['one sample', { time: [0], channels: { watts: [200], heartrate: [140] } }],
    [
      'repeated and backwards timestamps',
      { time: [0, 1, 1, 2, 1, 3, 0, 4], channels: { watts: [1, 2, 3, 4, 5, 6, 7, 8] } },
    ],
    [
      'nulls and NaN',
      {
        time: [0, null, 2, Number.NaN, 4, 5],
        channels: {
          watts: [null, Number.NaN, 100, 'x', 200, {}],
          heartrate: [null, null, null, null, null, null],
        },
      },
    ],
    [
      'negative and absurd values',
      {
        time: [0, 1, 2, 3, 4],
        channels: {
          watts: [-50, 1e9, 250, 3001, 300],
          heartrate: [-1, 400, 150, 10, 160],
          velocity_smooth: [-3, 99, 3, 3, 3],
        },
      },
    ],
    [
      'an hour-long gap',
      { time: [0, 1, 2, 3602, 3603, 3604], channels: { watts: [200, 200, 200, 300, 300, 300] } },
    ],
    [
      'a corrupt far-future timestamp',
      { time: [0, 1, 2, 2_000_000_000, 3, 4], channels: { heartrate: [120, 121, 122, 123, 124, 125] } },
    ],
    ['strings for times', { time: ['0', '1'] as unknown[], channels: { watts: [1, 2] } }],
  ];
  it.each(cases)('%s', (_name, raw) => {
    for (const sport of ['Ride', 'Run', 'Swim', 'Yoga']) {
      const m = analyze(raw, {
        sport,
        thresholds: { ftp: 250, lthr: 160, thresholdPaceSPerKm: 270, swimThresholdPaceSPer100m: 100 },
      });
      noNaN(m);
      expect(m.stress.value).toBeGreaterThanOrEqual(0);
    }
  });

  it('streams of unequal length are refused with a clear error', () => {
    const raw: RawStreams = {
      time: [0, 1, 2, 3, 4, 5],
      channels: { watts: [100, 200], heartrate: [120, 121, 122, 123, 124, 125, 126, 127] },
    };
    expect(() => analyze(raw, { sport: 'Ride' })).toThrow(StreamError);
    expect(() => analyze(raw, { sport: 'Ride' })).toThrow(/"watts" stream has 2 values but "time" has 6/);
  });

  it('the hour-long gap adds no seconds and counts as stopped time', () => {
    const m = analyze(cases.find(([name]) => name === 'an hour-long gap')![1], { sport: 'Ride' });
    expect([m.durationS, m.stoppedS]).toEqual([6, 3599]);
  });

  it('the corrupt timestamp is dropped, the rest kept', () => {
    const m = analyze(cases.find(([name]) => name === 'a corrupt far-future timestamp')![1], {
      sport: 'Run',
    });
    expect(m.durationS).toBe(5);
    expect(m.stoppedS).toBe(0);
  });
});
