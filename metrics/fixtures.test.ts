import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import { fitToStreams } from './fit.ts';

const dir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
const files = readdirSync(dir).filter((name) => name.endsWith('.fit'));
const read = (name: string) => fitToStreams(readFileSync(`${dir}${name}`));

describe('real FIT recordings', () => {
  it.each(files)('%s analyses without error to plausible numbers', (name) => {
    const fit = read(name);
    const m = analyze(fit.streams, {
      sport: fit.sport ?? 'Workout',
      thresholds: { ftp: 250, lthr: 165, thresholdPaceSPerKm: 300 },
    });
    expect(JSON.stringify(m)).not.toMatch(/NaN|Infinity|null,null,null/);
    expect(m.durationS).toBeGreaterThanOrEqual(0);
    expect(m.durationS).toBeLessThan(12 * 3600);
    expect(m.stress.value).toBeGreaterThanOrEqual(0);
    expect(m.stress.value).toBeLessThan(800);
    if (m.hr) {
      expect(m.hr.avg).toBeGreaterThan(40);
      expect(m.hr.avg).toBeLessThan(200);
    }
    if (m.power) {
      expect(m.power.np!).toBeGreaterThanOrEqual(m.power.avg);
      expect(m.power.avg).toBeLessThan(600);
    }
  });

  // Hand-checked: the indoor-trainer file's head unit says NP 228 W, IF 0.914 at FTP 250, TSS 50.8.
  it('indoor trainer ride: NP within 1 % of the device’s 228 W', () => {
    const fit = read('fitparse-sample-activity-indoor-trainer.fit');
    expect(fit.sport).toBe('Ride');
    expect(fit.device.normalizedPower).toBe(228);
    const m = analyze(fit.streams, { sport: fit.sport!, thresholds: { ftp: 250 } });
    expect(Math.abs(m.power!.np! - 228) / 228).toBeLessThan(0.01);
    expect(m.power!.np!.toFixed(2)).toBe('227.33');
    expect(m.power!.if!.toFixed(3)).toBe('0.909');
    // The device timer (start … stop events) decides: 2,263 recorded seconds against its 2,261.85 s.
    expect(m.durationS).toBe(2263);
    expect(m.stress.method).toBe('power');
    expect(m.stress.if).toBe(m.power!.if);
    expect(m.stress.value.toFixed(1)).toBe('52.0'); // device 50.8: within 2.5 % (see device-parity)
  });

  // Checked by hand against the file: 2,809 records over 47 min, HR 153.9 average and 178 peak; the best
  // kilometre (about 4:06) lies within the run's fastest GPS splits.
  it('Fenix 2 run: duration, pace and best efforts', () => {
    const fit = read('fitparse-activity-small-fenix2-run.fit');
    expect(fit.sport).toBe('Run');
    const m = analyze(fit.streams, { sport: 'Run', thresholds: { thresholdPaceSPerKm: 270, lthr: 170 } });
    expect(m.durationS).toBe(2834); // the device's timer: 2,832 s
    expect(m.hr!.avg.toFixed(1)).toBe('153.9');
    expect(m.hr!.max).toBe(178);
    expect(Object.keys(m.bestEfforts)).toEqual(['400', '1000', '1609', '5000']);
    expect(m.bestEfforts['1000']!).toBeGreaterThan(230);
    expect(m.bestEfforts['1000']!).toBeLessThan(260);
    expect(m.bestEfforts['5000']!).toBeGreaterThan(5 * m.bestEfforts['1000']! - 1);
    expect(m.stress.method).toBe('pace');
  });

  // Hand-checked: a ride whose power meter reported 0 W throughout is a ride without power, scored by HR.
  it('nick.fit: truncated file keeps what decoded; zero-only power is no power', () => {
    const fit = read('fitparse-nick.fit');
    expect(fit.warnings.some((w) => w.includes('decoding stopped early'))).toBe(true);
    const m = analyze(fit.streams, { sport: fit.sport ?? 'Ride', thresholds: { ftp: 250, lthr: 165 } });
    expect(m.power).toBeNull();
    expect(m.stress.method).toBe('hr');
    // Its 17 timer events decide the pauses: 14,375 s of timer time (records continue while stopped).
    expect(fit.streams.timer).toHaveLength(9);
    expect(m.durationS).toBe(14375);
    expect(m.stoppedS).toBeGreaterThan(1800); // long café stops
  });

  // Compressed-timestamp records (Forerunner 70, one record every 5 s) are expanded before decoding.
  // Hand-checked against the file's own summary: first record 06:44:24, last 07:49:04 (3,880 s later),
  // 755 records, last distance 10,248.69 m (session total 10,248.67 m), sport running; its fastest 1 km
  // lap took 257.1 s, so the best kilometre from the records is a little faster than that.
  it('compressed-timestamp records decode instead of being lost', () => {
    const fit = read('fitparse-compressed-speed-distance.fit');
    expect(fit.warnings).toEqual([]);
    expect(fit.sport).toBe('Run');
    expect(fit.streams.time).toHaveLength(755);
    expect(fit.streams.time.slice(0, 3)).toEqual([0, 5, 10]);
    expect(fit.streams.time.at(-1)).toBe(3880);
    expect(fit.streams.channels.distance!.at(-1)).toBeCloseTo(10248.69, 2);
    const m = analyze(fit.streams, { sport: 'Run', thresholds: { thresholdPaceSPerKm: 270 } });
    expect(m.bestEfforts['1000']!).toBeGreaterThan(240);
    expect(m.bestEfforts['1000']!).toBeLessThan(257.141);
    expect(m.bestEfforts['10000']!).toBeLessThan(3880);
    expect(m.stress.method).toBe('pace');
  });

  it('a file that is not FIT is refused with a clear error', () => {
    expect(() => fitToStreams(new TextEncoder().encode('{"time":[0,1,2]}'))).toThrow(/not a FIT file/);
  });
});
