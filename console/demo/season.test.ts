import { describe, expect, it } from 'vitest';
import { generateSeason, mondayOfDate, samplesFor, seasonWeeks, toTcxFile } from './season.ts';

describe('the demo season', () => {
  it('spans 18 weeks up to the last day, with rides, runs and a swim every third week', () => {
    const season = generateSeason('2026-11-30');
    expect(seasonWeeks).toBe(18);
    expect(season[0]!.date).toBe('2026-08-04');
    expect(mondayOfDate(season[0]!.date)).toBe('2026-08-03');
    expect(season.at(-1)!.date).toBe('2026-11-29');
    expect(season).toHaveLength(91);
    expect(season.filter((w) => w.sport === 'Ride')).toHaveLength(51);
    expect(season.filter((w) => w.sport === 'Run')).toHaveLength(34);
    expect(season.filter((w) => w.sport === 'Swim')).toHaveLength(6);
  });

  it('is the same every time, and leaves out the days given to recorded files', () => {
    expect(generateSeason('2026-11-30')).toEqual(generateSeason('2026-11-30'));
    const without = generateSeason('2026-11-30', new Set(['2026-11-29']));
    expect(without).toHaveLength(90);
    expect(without.some((w) => w.date === '2026-11-29')).toBe(false);
  });

  it('records a ride at FTP as 250 W every 4 s, with the distance its speed covers', () => {
    expect(samplesFor('Ride', [{ seconds: 8, intensity: 1 }], () => 0.5)).toEqual([
      { t: 0, distanceM: 42.4, heartrate: 84, speedMs: 10.599, watts: 250, cadence: 86, altitudeM: 40 },
      { t: 4, distanceM: 84.8, heartrate: 90, speedMs: 10.599, watts: 250, cadence: 86, altitudeM: 40.3 },
    ]);
  });

  it('rests at the wall in a pool swim (no distance) and swims at threshold pace', () => {
    expect(
      samplesFor(
        'Swim',
        [
          { seconds: 8, intensity: 0.3 },
          { seconds: 4, intensity: 1 },
        ],
        () => 0.5,
      ),
    ).toEqual([
      { t: 0, distanceM: 0, heartrate: 78, speedMs: 0 },
      { t: 4, distanceM: 0, heartrate: 79, speedMs: 0 },
      { t: 8, distanceM: 3.8, heartrate: 85, speedMs: 0.952 },
    ]);
  });

  it('writes TCX as Garmin does: power and speed in the TPX extension, the name in Notes', () => {
    const [ride] = generateSeason('2026-08-05');
    const tcx = toTcxFile(ride!, new Date('2026-08-04T16:00:00Z'));
    expect(tcx).toContain(
      '<Activity Sport="Biking"><Id>2026-08-04T16:00:00.000Z</Id><Notes>Threshold intervals 4×8 min</Notes>',
    );
    expect(tcx).toMatch(/<ns3:TPX><ns3:Speed>[\d.]+<\/ns3:Speed><ns3:Watts>\d+<\/ns3:Watts><\/ns3:TPX>/);
  });
});
