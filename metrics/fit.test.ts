import { describe, expect, it } from 'vitest';
import { buildFit } from '../test/fit-builder.ts';
import { analyze } from './analyze.ts';
import { FitNotActivityError, fitToLegs, fitToStreams } from './fit.ts';
import { toSeries } from './streams.ts';

const seconds = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('FIT decoding (METRICS.md §1)', () => {
  it('timer stop … start is a pause whatever was recorded in it; windows restart after it', () => {
    // 100 s at 300 W, the timer stopped for 300 s while records go on (0 W), then 100 s at 100 W.
    const records = [
      ...seconds(0, 100).map((t) => ({ t, power: 300 })),
      ...seconds(100, 400).map((t) => ({ t, power: 0 })),
      ...seconds(400, 500).map((t) => ({ t, power: 100 })),
    ];
    const bytes = buildFit({
      records,
      timer: [
        { t: 0, type: 'start' },
        { t: 100, type: 'stopAll' },
        { t: 400, type: 'start' },
        { t: 500, type: 'stopAll' },
      ],
      sessions: [{ t: 0, sport: 'cycling', timerS: 200, elapsedS: 500 }],
    });
    const fit = fitToStreams(bytes);
    expect(fit.streams.timer).toEqual([
      [0, 100],
      [400, 500],
    ]);
    const m = analyze(fit.streams, { sport: fit.sport!, thresholds: { ftp: 250 } });
    expect([m.durationS, m.stoppedS]).toEqual([200, 300]);
    expect(m.power!.avg).toBe(200);
    // 71 windows of 300 W and 71 of 100 W; none spans the pause.
    expect(m.power!.np).toBeCloseTo(((300 ** 4 + 100 ** 4) / 2) ** 0.25, 9);
    // The curve stops at the longest segment (100 s): its last grid point is 95 s, held at 300 W.
    expect(m.powerCurve.at(-1)).toEqual([95, 300]);
  });

  it('with a device timer, gaps while it runs are interpolated up to 10 min; longer is a lost recording', () => {
    // Smart recording: a record every 20 s for 600 s, then nothing for 700 s, then 100 s at 1 Hz.
    const records = [
      ...seconds(0, 31).map((i) => ({ t: i * 20, power: 200 })),
      ...seconds(1300, 1401).map((t) => ({ t, power: 200 })),
    ];
    const bytes = buildFit({
      records,
      timer: [
        { t: 0, type: 'start' },
        { t: 1400, type: 'stopAll' },
      ],
      sessions: [{ t: 0, sport: 'cycling', timerS: 1400 }],
    });
    const m = analyze(fitToStreams(bytes).streams, { sport: 'Ride' });
    // 0..600 filled (601 s, the last record closes it) and 1300..1399 (100 s, the stop second 1400 is
    // not counted); the 700 s hole is a pause.
    expect(m.durationS).toBe(701);
    expect(m.power!.workKj).toBeCloseTo(140.2, 9);
    // Without the timer the 15 s rule would have made every 20 s gap a pause.
    const noTimer = buildFit({ records, sessions: [{ t: 0, sport: 'cycling', timerS: 1400 }] });
    expect(analyze(fitToStreams(noTimer).streams, { sport: 'Ride' }).durationS).toBe(31 + 101);
  });

  it('records of the same second are merged: a missing value is taken from the other, else the later wins', () => {
    // The Strava Android app writes GPS (speed) and then distance as two records of one second.
    const records = seconds(0, 10).flatMap((t) => [
      { t, speed: 3, power: 100 },
      { t, distance: 3 * t, ...(t === 5 ? { power: 200 } : {}) },
    ]);
    const fit = fitToStreams(buildFit({ records, sessions: [{ t: 0, sport: 'running', timerS: 10 }] }));
    expect(fit.streams.time).toHaveLength(20);
    const series = toSeries(fit.streams);
    expect(series.n).toBe(10);
    expect(Array.from(series.distance!)).toEqual(seconds(0, 10).map((t) => 3 * t));
    expect(Array.from(series.speed!)).toEqual(Array(10).fill(3));
    expect(series.power![5]).toBe(200);
    expect(series.power![4]).toBe(100);
  });

  it('each session is a leg with its own sport, records and timer', () => {
    const records = [
      ...seconds(0, 300).map((t) => ({ t, speed: 1.2, heartRate: 140 })),
      ...seconds(300, 900).map((t) => ({ t, power: 220, speed: 9, heartRate: 150 })),
    ];
    const bytes = buildFit({
      records,
      // Timer paused 60 s inside the ride: only that leg has the pause.
      timer: [
        { t: 0, type: 'start' },
        { t: 500, type: 'stopAll' },
        { t: 560, type: 'start' },
        { t: 900, type: 'stopAll' },
      ],
      sessions: [
        { t: 0, sport: 'swimming', subSport: 'openWater', timerS: 300, distanceM: 360 },
        { t: 300, sport: 'cycling', timerS: 540, elapsedS: 600 },
      ],
    });
    const legs = fitToLegs(bytes);
    expect(legs.map((leg) => leg.sport)).toEqual(['Swim', 'Ride']);
    expect(legs.map((leg) => leg.startTime!.toISOString())).toEqual([
      '2024-05-01T08:00:00.000Z',
      '2024-05-01T08:05:00.000Z',
    ]);
    expect(legs[1]!.streams.timer).toEqual([
      [0, 200],
      [260, 600],
    ]);
    const swim = analyze(legs[0]!.streams, { sport: 'Swim', thresholds: { swimThresholdPaceSPer100m: 100 } });
    expect(swim.power).toBeNull();
    expect(swim.durationS).toBe(300);
    const ride = analyze(legs[1]!.streams, { sport: 'Ride', thresholds: { ftp: 220 } });
    expect(ride.durationS).toBe(540);
    expect(ride.stress).toEqual({ value: 15, method: 'power', if: 1 });
    // The top level of fitToStreams is the first leg; `legs` holds them all.
    const whole = fitToStreams(bytes);
    expect(whole.sport).toBe('Swim');
    expect(whole.legs).toHaveLength(2);
  });

  it('pool swims: lengths decide moving time and distance; rests are stopped time', () => {
    // 20 lengths of 25 m, 25 s each, with 15 s of rest after each (an idle length).
    const lengths = seconds(0, 20).flatMap((i) => [
      { t: i * 40, durationS: 25, active: true },
      { t: i * 40 + 25, durationS: 15, active: false },
    ]);
    const records = seconds(0, 800).map((t) => ({ t, heartRate: 130 }));
    const bytes = buildFit({
      records,
      lengths,
      timer: [
        { t: 0, type: 'start' },
        { t: 800, type: 'stopAll' },
      ],
      sessions: [{ t: 0, sport: 'swimming', subSport: 'lapSwimming', timerS: 800, poolLengthM: 25 }],
    });
    const fit = fitToStreams(bytes);
    expect(fit.streams.pool?.lengths).toHaveLength(40);
    const m = analyze(fit.streams, { sport: 'Swim', thresholds: { swimThresholdPaceSPer100m: 100 } });
    expect([m.durationS, m.movingS, m.stoppedS]).toEqual([800, 500, 300]);
    expect(m.swim!.speed).toBe(1);
    expect(m.swim!.if).toBe(1);
    expect(m.stress.method).toBe('swim');
    expect(m.stress.value).toBeCloseTo((500 / 3600) * 100, 10);
  });

  it('FIT files that hold no activity are refused, whatever their type', () => {
    for (const type of ['settings', 'workout', 'monitoringA', 'course', 'sport'])
      expect(() => fitToLegs(buildFit({ type }))).toThrow(FitNotActivityError);
  });

  it('reads a Uint8Array that is a view into a larger buffer', () => {
    const bytes = buildFit({
      records: seconds(0, 60).map((t) => ({ t, power: 150 })),
      sessions: [{ t: 0, sport: 'cycling', timerS: 60 }],
    });
    const padded = new Uint8Array(bytes.length + 64);
    padded.set(bytes, 32);
    const view = padded.subarray(32, 32 + bytes.length);
    expect(fitToStreams(view).streams).toEqual(fitToStreams(bytes).streams);
  });
});
