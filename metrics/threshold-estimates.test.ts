import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import { toCliJson } from './cli-json.ts';
import { fitToStreams } from './fit.ts';
import {
  type EstimateActivity,
  estimateActivityFromMetrics,
  estimateThresholds,
  linearFit,
  raisedThresholds,
} from './threshold-estimates.ts';

/** A ride of `effortS` seconds all-out at `watts`, between 10 min easy before and after, through analyze. */
function effortRide(id: string, date: string, effortS: number, watts: number, hr?: number): EstimateActivity {
  const easy = Array(600).fill(120);
  const power = [...easy, ...Array(effortS).fill(watts), ...easy];
  const channels: Record<string, number[]> = { watts: power };
  if (hr) channels.heartrate = [...Array(600).fill(120), ...Array(effortS).fill(hr), ...Array(600).fill(120)];
  const m = analyze({ time: power.map((_, i) => i), channels }, { sport: 'Ride', thresholds: {} });
  return estimateActivityFromMetrics(id, date, 'Ride', toCliJson(m));
}

/** A run covering its distances at a steady speed, through analyze (best efforts from the distance stream). */
function steadyRun(id: string, date: string, speed: number, seconds: number): EstimateActivity {
  const time = Array.from({ length: seconds + 1 }, (_, i) => i);
  const m = analyze(
    { time, channels: { distance: time.map((t) => t * speed), velocity_smooth: time.map(() => speed) } },
    { sport: 'Run', thresholds: {} },
  );
  return estimateActivityFromMetrics(id, date, 'Run', toCliJson(m));
}

describe('FTP from the athlete’s own history', () => {
  it('recovers a known critical power within 2 % from maximal efforts of 3 to 20 minutes', () => {
    const cp = 265;
    const wPrime = 18_000;
    const history = [180, 300, 420, 600, 900, 1200].map((d, i) =>
      effortRide(`a${i}`, `2026-11-${String(10 + i).padStart(2, '0')}`, d, cp + wPrime / d),
    );
    const { ftp } = estimateThresholds(history, '2026-11-30');
    expect(ftp?.method).toBe('cp_fit');
    expect(Math.abs(ftp!.value - cp) / cp).toBeLessThan(0.02);
    expect(Math.abs(ftp!.fit!.reserve - wPrime) / wPrime).toBeLessThan(0.1);
    // The 20 min effort is the one named as its source.
    expect(ftp!.evidence).toMatchObject({ activityId: 'a5', duration: 1200, date: '2026-11-15' });
  });

  it('without efforts across 3–20 min, 95 % of the best 20 min', () => {
    const history = [
      effortRide('steady', '2026-11-12', 1500, 263),
      effortRide('old', '2026-06-01', 1500, 320),
    ];
    const { ftp } = estimateThresholds(history, '2026-11-30');
    expect(ftp?.method).toBe('best_20min');
    expect(ftp!.value).toBeCloseTo(0.95 * 263, 6);
    expect(ftp!.evidence).toMatchObject({ activityId: 'steady', date: '2026-11-12', duration: 1200 });
  });

  it('ignores bests older than 90 days, and has no estimate without power', () => {
    const old = effortRide('old', '2026-08-01', 1500, 300);
    expect(estimateThresholds([old], '2026-11-30').ftp).toBeNull();
    expect(estimateThresholds([old], '2026-10-29').ftp?.value).toBeCloseTo(285, 6);
  });

  it('run power gives a run FTP, never the cycling FTP', () => {
    const power = [...Array(600).fill(150), ...Array(1300).fill(300)];
    const m = analyze(
      { time: power.map((_, i) => i), channels: { watts: power } },
      { sport: 'Run', thresholds: {} },
    );
    const run = estimateActivityFromMetrics('r', '2026-11-20', 'Run', toCliJson(m));
    const estimates = estimateThresholds([run], '2026-11-30');
    expect(estimates.ftp).toBeNull();
    expect(estimates.runFtp?.method).toBe('run_best_20min');
    expect(estimates.runFtp!.value).toBeCloseTo(285, 6);
  });
});

describe('heart rate and pace from hard efforts', () => {
  it('LTHR is 95 % of the highest 20 min heart rate; max HR the highest 5 s', () => {
    const history = [
      effortRide('h', '2026-11-20', 1500, 250, 176),
      effortRide('e', '2026-11-21', 1500, 180, 150),
    ];
    const { lthr, maxHr } = estimateThresholds(history, '2026-11-30');
    expect(lthr?.value).toBeCloseTo(0.95 * 176, 6);
    expect(lthr?.evidence).toMatchObject({ activityId: 'h', duration: 1200 });
    expect(maxHr?.value).toBeCloseTo(176, 6);
  });

  it('recovers a known critical speed within 2 % from best efforts by distance', () => {
    // Each race is run at the speed the critical-speed model predicts for its distance: t = (d − D′) / CS.
    const cs = 4.2;
    const dPrime = 200;
    const history = [1000, 1609.344, 5000].map((d, i) => {
      const t = Math.round((d - dPrime) / cs);
      return steadyRun(`r${i}`, `2026-11-${10 + i}`, d / t, t);
    });
    const { thresholdPace } = estimateThresholds(history, '2026-11-30');
    expect(thresholdPace?.method).toBe('cs_fit');
    expect(Math.abs(thresholdPace!.value - 1000 / cs) / (1000 / cs)).toBeLessThan(0.02);
  });

  it('easy runs alone give no critical speed, only the fastest 10 km', () => {
    const { thresholdPace } = estimateThresholds([steadyRun('easy', '2026-11-20', 3, 3600)], '2026-11-30');
    expect(thresholdPace?.method).toBe('best_10km');
    expect(thresholdPace!.value).toBeCloseTo(1000 / 3, 0);
  });
});

describe('a clearly higher threshold is proposed, never a small change', () => {
  const history = [effortRide('new', '2026-11-28', 1500, 300)];
  const estimates = estimateThresholds(history, '2026-11-30');

  it('FTP +3 % or more from this activity is proposed; +2 % is not', () => {
    expect(raisedThresholds(estimates, { ftp: 276 }, 'new').map((r) => r.kind)).toEqual(['ftp']);
    expect(raisedThresholds(estimates, { ftp: 280 }, 'new')).toEqual([]);
    // The best rests on another activity: this one raises nothing.
    expect(raisedThresholds(estimates, { ftp: 200 }, 'other')).toEqual([]);
    // Not set yet: that is a first value to offer, not a raise.
    expect(raisedThresholds(estimates, {}, 'new')).toEqual([]);
  });
});

describe('estimates on real FIT recordings', () => {
  const dir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
  const fromFile = (name: string, date: string) => {
    const fit = fitToStreams(readFileSync(`${dir}${name}`));
    const m = analyze(fit.streams, { sport: fit.sport ?? 'Workout', thresholds: {} });
    return estimateActivityFromMetrics(name, date, fit.sport ?? 'Workout', toCliJson(m));
  };

  const files = readdirSync(dir).filter((name) => name.endsWith('.fit'));

  it.each(files)(
    '%s: every estimate is finite, in a human range, and names an effort of the file',
    (name) => {
      const activity = fromFile(name, '2026-11-20');
      const estimates = estimateThresholds([activity], '2026-11-30');
      expect(JSON.stringify(estimates)).not.toMatch(/NaN|Infinity/);
      const ranges = {
        ftp: [30, 700],
        runFtp: [30, 700],
        lthr: [60, 230],
        maxHr: [60, 260],
        thresholdPace: [100, 1500],
      };
      for (const [key, [min, max]] of Object.entries(ranges)) {
        const estimate = estimates[key as keyof typeof estimates];
        if (!estimate) continue;
        expect(estimate.value, `${name} ${key}`).toBeGreaterThanOrEqual(min!);
        expect(estimate.value, `${name} ${key}`).toBeLessThanOrEqual(max!);
        expect(estimate.evidence.activityId).toBe(name);
      }
    },
  );

  it('indoor trainer ride: an FTP below its 20 min best, named with its source', () => {
    const ride = fromFile('fitparse-sample-activity-indoor-trainer.fit', '2026-11-12');
    const { ftp, lthr } = estimateThresholds([ride], '2026-11-30');
    expect(ftp).not.toBeNull();
    expect(ftp!.evidence.activityId).toBe(ride.id);
    const best20 = ride.powerCurve.find(([d]) => d === 1200)![1]!;
    if (ftp!.method === 'best_20min') expect(ftp!.value).toBeCloseTo(best20 * 0.95, 6);
    else expect(ftp!.value).toBeLessThan(best20);
    // The device says NP 228 W at its threshold 250 W: an estimate in that neighbourhood is plausible.
    expect(ftp!.value).toBeGreaterThan(150);
    expect(ftp!.value).toBeLessThan(300);
    if (lthr) expect(lthr.value).toBeLessThan(200);
  });

  it('a Fenix 2 run: threshold pace and heart rate estimates are finite and plausible', () => {
    const run = fromFile('fitparse-activity-small-fenix2-run.fit', '2026-11-20');
    const estimates = estimateThresholds([run], '2026-11-30');
    expect(JSON.stringify(estimates)).not.toMatch(/NaN|Infinity/);
    expect(estimates.ftp).toBeNull();
    if (estimates.thresholdPace) {
      expect(estimates.thresholdPace.value).toBeGreaterThan(150);
      expect(estimates.thresholdPace.value).toBeLessThan(900);
    }
    if (estimates.maxHr) expect(estimates.maxHr.value).toBeLessThan(230);
  });
});

describe('linearFit', () => {
  it('fits an exact line and refuses a vertical one', () => {
    expect(linearFit([1, 2, 3], [5, 7, 9])).toEqual({ slope: 2, intercept: 3 });
    expect(linearFit([2, 2], [1, 3])).toBeNull();
  });
});
