import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import { compareWithDevice, noOracle, parityExceptions } from './device-parity.ts';
import { fitToLegs } from './fit.ts';

const dir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.fit'))
  .sort();

// METRICS.md §12, "Real files": each device value within its tolerance, or a named, documented reason.
describe('Threshold vs the device (every fixture FIT file)', () => {
  it.each(files)('%s', (name) => {
    const legs = fitToLegs(readFileSync(`${dir}${name}`));
    if (noOracle[name]) {
      // Nothing to compare against: the reason says why, and it must stay true (no power/HR summary).
      const device = legs[0]!.device;
      expect([device.normalizedPower, device.avgPower, device.avgHeartRate, device.tss]).toEqual([
        null,
        null,
        null,
        null,
      ]);
      return;
    }
    let compared = 0;
    legs.forEach((leg, i) => {
      for (const check of compareWithDevice(leg)) {
        compared++;
        const key = `${name}#${i + 1}:${check.metric}`;
        const reason = parityExceptions[key];
        // A documented exception that now matches is a stale note; an undocumented miss is a failure.
        expect({ key, within: check.within, documented: reason !== undefined }).toEqual({
          key,
          within: reason === undefined,
          documented: reason !== undefined,
        });
      }
    });
    expect(compared).toBeGreaterThan(0);
  });

  it('every documented exception names a real file, leg and metric', () => {
    for (const key of Object.keys(parityExceptions)) {
      const [, file, leg] = /^(.+)#(\d+):/.exec(key)!;
      expect(files).toContain(file);
      expect(fitToLegs(readFileSync(`${dir}${file}`)).length).toBeGreaterThanOrEqual(Number(leg));
    }
    for (const file of Object.keys(noOracle)) expect(files).toContain(file);
  });

  it('the file cut short says so, with the session’s own timer time and distance', () => {
    const [leg] = fitToLegs(readFileSync(`${dir}fitparse-strava-android-app-201.10-b1218918.fit`));
    const m = analyze(leg!.streams, { sport: leg!.sport! });
    expect(m.incomplete).toEqual({ timerS: 3558, distanceM: 11274.04 });
    expect(m.durationS).toBe(315);
    // Its same-second GPS and distance records are merged: the distance survives.
    expect(leg!.streams.time.length).toBeGreaterThan(new Set(leg!.streams.time).size);
    expect(m.bestEfforts['400']).toBeGreaterThan(0);
  });

  it('the indoor trainer ride matches its head unit: NP 228 W, TSS 50.8 at FTP 250', () => {
    const [leg] = fitToLegs(readFileSync(`${dir}fitparse-sample-activity-indoor-trainer.fit`));
    expect(leg!.device).toMatchObject({ normalizedPower: 228, tss: 50.8, thresholdPower: 250 });
    const checks = compareWithDevice(leg!);
    expect(checks.map((c) => c.metric)).toEqual(['timer_s', 'avg_power', 'np', 'tss', 'avg_hr', 'max_hr']);
    expect(checks.every((c) => c.within)).toBe(true);
  });
});
