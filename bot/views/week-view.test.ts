import { describe, expect, it } from 'vitest';
import {
  fitnessBySport,
  totalsBySport,
  type WeekActivity,
  weeklyHours,
  weekStart,
  weekSummary,
} from './week-view.ts';

const a = (
  date: string,
  sport: string,
  movingS: number,
  distanceM: number,
  elevationM: number,
  stress: number,
): WeekActivity => ({
  date,
  sport,
  movingS,
  distanceM,
  elevationM,
  stress,
});

// The week of Mon 23 – Sun 29 Nov 2026 and the 4 weeks before it (26 Oct – 22 Nov).
const history: WeekActivity[] = [
  a('2026-11-23', 'Ride', 3600, 30_000, 300, 60),
  a('2026-11-25', 'VirtualRide', 5400, 45_000, 0, 90),
  a('2026-11-29', 'Run', 2700, 9_000, 80, 50),
  a('2026-11-30', 'Run', 3000, 10_000, 50, 55), // next week: not counted
  a('2026-11-22', 'Ride', 7200, 60_000, 800, 120), // previous week
  a('2026-11-10', 'Run', 3600, 12_000, 100, 70),
  a('2026-10-26', 'Swim', 1800, 2_000, 0, 30),
  a('2026-10-25', 'Ride', 9999, 99_999, 999, 999), // 5 weeks before: outside the average
];

describe('/week totals against hand sums', () => {
  it('weeks start on Monday', () => {
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
    expect(weekStart('2026-11-29')).toBe('2026-11-23');
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
  });

  it('sums time, distance, elevation, stress and count per sport, and averages the 4 weeks before', () => {
    const s = weekSummary(history, '2026-11-26');
    expect([s.monday, s.sunday]).toEqual(['2026-11-23', '2026-11-29']);
    const ride = s.sports.find((x) => x.family === 'ride')!;
    // 3600 + 5400 s, 30 + 45 km, 300 + 0 m, 60 + 90 TSS, 2 rides.
    expect(ride.week).toEqual({ timeS: 9000, distanceM: 75_000, elevationM: 300, stress: 150, count: 2 });
    // One ride of 7200 s in the 4 weeks before: a quarter of it per week.
    expect(ride.average).toEqual({
      timeS: 1800,
      distanceM: 15_000,
      elevationM: 200,
      stress: 30,
      count: 0.25,
    });
    const run = s.sports.find((x) => x.family === 'run')!;
    expect(run.week).toEqual({ timeS: 2700, distanceM: 9_000, elevationM: 80, stress: 50, count: 1 });
    expect(run.average).toEqual({ timeS: 900, distanceM: 3_000, elevationM: 25, stress: 17.5, count: 0.25 });
    const swim = s.sports.find((x) => x.family === 'swim')!;
    expect(swim.week.count).toBe(0);
    expect(swim.average).toEqual({ timeS: 450, distanceM: 500, elevationM: 0, stress: 7.5, count: 0.25 });
    expect(s.week).toEqual({ timeS: 11_700, distanceM: 84_000, elevationM: 380, stress: 200, count: 3 });
    expect(s.average).toEqual({ timeS: 3150, distanceM: 18_500, elevationM: 225, stress: 55, count: 0.75 });
    // Biggest stress this week first.
    expect(s.sports.map((x) => x.family)).toEqual(['ride', 'run', 'swim']);
  });

  it('ignores missing and non-finite values rather than poisoning a sum', () => {
    const t = totalsBySport(
      [
        {
          date: '2026-11-23',
          sport: 'Ride',
          movingS: null,
          distanceM: Number.NaN,
          elevationM: -5,
          stress: null,
        },
      ],
      '2026-11-23',
      '2026-11-29',
    );
    expect(t.get('ride')).toEqual({ timeS: 0, distanceM: 0, elevationM: 0, stress: 0, count: 1 });
  });

  it('hours per week by sport over 12 weeks, oldest first', () => {
    const v = weeklyHours(history, '2026-11-29');
    expect(v.weeks).toHaveLength(12);
    expect(v.weeks.at(-1)).toBe('2026-11-23');
    expect(v.weeks[0]).toBe('2026-09-07');
    expect(v.hours.ride?.slice(-2)).toEqual([2, 2.5]);
    expect(v.hours.run?.slice(-3)).toEqual([1, 0, 0.75]); // weeks of 9, 16 and 23 Nov
    expect(v.hours.swim?.[7]).toBe(0.5); // week of 26 Oct
  });

  it('fitness per sport is each sport’s own PMC, on one calendar from the first activity', () => {
    const f = fitnessBySport(
      [a('2026-11-01', 'Ride', 3600, 0, 0, 100), a('2026-11-02', 'Run', 3600, 0, 0, 50)],
      '2026-11-03',
    );
    const k = 1 - Math.exp(-1 / 42);
    // Ride: 100 on day 1, then two rest days. Run: 0, 50, then one rest day.
    expect(f.ride).toBeCloseTo(100 * k * (1 - k) ** 2, 10);
    expect(f.run).toBeCloseTo(50 * k * (1 - k), 10);
    expect(f.swim).toBeUndefined();
  });
});
