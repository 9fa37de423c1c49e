import { describe, expect, it } from 'vitest';
import { type AnalysisInput, analyzeActivity as analyze } from './analyzer.ts';

/** One hour at a steady 3.5 m/s, heart rate 150, with optional power. */
function streams(watts: number | null) {
  const time = Array.from({ length: 3600 }, (_, i) => i);
  return {
    time: { data: time },
    velocity_smooth: { data: time.map(() => 3.5) },
    distance: { data: time.map((i) => i * 3.5) },
    heartrate: { data: time.map(() => 150) },
    ...(watts === null ? {} : { watts: { data: time.map(() => watts) } }),
  };
}

function input(overrides: Partial<AnalysisInput>): AnalysisInput {
  return {
    streams: streams(null),
    sport: 'Run',
    thresholds: {},
    sex: 'male',
    historyMaxHr: null,
    movingTimeS: null,
    elapsedTimeS: null,
    distanceM: null,
    ...overrides,
  };
}

describe('stored intensity follows the stress method (METRICS.md §6)', () => {
  it('a ride scored by power stores the power IF', () => {
    const result = analyze(input({ sport: 'Ride', streams: streams(200), thresholds: { ftp: 250 } }));
    expect(result.method).toBe('power');
    expect(result.intensity).toBeCloseTo(0.8, 10);
  });

  it('a run scored by pace stores the pace IF', () => {
    // 3.5 m/s on the flat against a 5:00 /km threshold (3.333 m/s): IF 1.05.
    const result = analyze(input({ thresholds: { threshold_pace: 300 } }));
    expect(result.method).toBe('pace');
    expect(result.intensity).toBeCloseTo(1.05, 10);
  });

  it('a heart-rate score stores no intensity, even with a threshold pace set', () => {
    const result = analyze(
      input({
        sport: 'Ride',
        thresholds: { threshold_pace: 300, lthr: 170, max_hr: 190, rest_hr: 50 },
      }),
    );
    expect(result.method).toBe('hr');
    expect(result.intensity).toBeNull();
  });

  it('an estimate stores no intensity', () => {
    const result = analyze(input({ streams: null, sport: 'Ride', movingTimeS: 3600 }));
    expect(result.method).toBe('estimated');
    expect(result.intensity).toBeNull();
  });
});
