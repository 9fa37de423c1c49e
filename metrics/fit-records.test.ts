import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import { toCliJson } from './cli-json.ts';
import { expandCompressedTimestamps, fitToLegs } from './fit.ts';
import { fitCrc, splitRecords } from './fit-records.ts';

const folders = ['../test/fixtures/fit/', '../console/demo/fit/'].map(
  (path) => new URL(path, import.meta.url),
);
// Every FIT file in the repository (the demo's are copies of fixtures: each name once).
const fixtures = [
  ...new Map(
    folders.flatMap((folder) =>
      readdirSync(folder)
        .filter((name) => name.endsWith('.fit'))
        .map((name) => [name, { name, bytes: new Uint8Array(readFileSync(new URL(name, folder))) }] as const),
    ),
  ).values(),
];
const largest = fixtures.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));

/** What `cli analyze` prints for each leg, with default thresholds. */
const analysis = (legs: ReturnType<typeof fitToLegs>) =>
  legs.map((leg) => toCliJson(analyze(leg.streams, { sport: leg.sport ?? 'Workout' })));

describe('FIT records read directly (fit-records.ts) against @garmin/fitsdk', () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))(
    '%s: the same legs, warnings and analysis',
    (_name, { bytes }) => {
      const sdk = fitToLegs(bytes, { sdkOnly: true });
      const fast = fitToLegs(bytes);
      expect(fast).toEqual(sdk);
      expect(JSON.stringify(analysis(fast))).toBe(JSON.stringify(analysis(sdk)));
    },
  );

  it('most fixtures, the largest among them, take the direct path', () => {
    const direct = fixtures.filter(({ bytes }) => splitRecords(expandCompressedTimestamps(bytes) ?? bytes));
    expect(direct.map((f) => f.name)).toContain(largest.name);
    expect(direct.length).toBeGreaterThan(fixtures.length / 2);
    // Most of those, the largest among them, are read whole without the SDK (every message fit.ts reads).
    const whole = fixtures.filter(
      ({ bytes }) => splitRecords(expandCompressedTimestamps(bytes) ?? bytes)?.messages,
    );
    expect(whole.map((f) => f.name)).toContain(largest.name);
    expect(whole.length).toBeGreaterThan(direct.length / 2);
    const split = splitRecords(largest.bytes)!;
    expect(split.records.n).toBe(fitToLegs(largest.bytes).reduce((n, leg) => n + leg.streams.time.length, 0));
    // What is left for the SDK is a small valid FIT file.
    expect(split.rest.length).toBeLessThan(largest.bytes.length / 10);
    const dataEnd = split.rest.length - 2;
    expect(split.rest[dataEnd]! | (split.rest[dataEnd + 1]! << 8)).toBe(fitCrc(split.rest, 0, dataEnd));
  });

  it('a damaged file goes to the SDK whole: the same records up to the damage, the same warning', () => {
    const truncated = largest.bytes.slice(0, Math.floor(largest.bytes.length * 0.6));
    const badCrc = largest.bytes.slice();
    badCrc[badCrc.length - 1]! ^= 0xff;
    for (const bytes of [truncated, badCrc]) {
      expect(splitRecords(bytes)).toBeNull();
      const legs = fitToLegs(bytes);
      expect(legs).toEqual(fitToLegs(bytes, { sdkOnly: true }));
      expect(legs[0]!.warnings.join()).toMatch(/decoding stopped early/);
    }
  });
});
