import { describe, expect, it } from 'vitest';
import { fitnessFall, fitnessFallText, forecastPmc, recentAverageStress } from './forecast.ts';

// k = 1 − e^(−1/42) = 0.0235283 (CTL), 1 − e^(−1/7) = 0.1331221 (ATL), METRICS.md §10.
describe('forecastPmc', () => {
  it('runs the PMC forward over planned stress: numbers worked by hand', () => {
    // From CTL 50, ATL 60: day 1 plans 100, day 2 nothing, day 3 plans 80.
    // Day 1: TSB = 50 − 60 = −10; CTL = 50 + (100 − 50)·0.0235283 = 51.1764; ATL = 60 + 40·0.1331221 = 65.3249.
    // Day 2: TSB = 51.1764 − 65.3249 = −14.1485; CTL = 51.1764·(1 − k) = 49.9723; ATL = 65.3249·(1 − k) = 56.6287.
    // Day 3: TSB = −6.6564; CTL = 49.9723 + (80 − 49.9723)·k = 50.6788; ATL = 56.6287 + 23.3713·k = 59.7399.
    const days = forecastPmc({
      start: { ctl: 50, atl: 60, recentCtl: [] },
      from: '2026-12-01',
      until: '2026-12-03',
      done: [],
      planned: [
        { date: '2026-12-01', stress: 60 },
        { date: '2026-12-01', stress: 40 },
        { date: '2026-12-03', stress: 80 },
      ],
      unplanned: 'zero',
      recentAverage: 40,
    });
    expect(days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(days.map((d) => d.stress)).toEqual([100, 0, 80]);
    const expected = [
      [51.1764, 65.3249, -10],
      [49.9723, 56.6287, -14.1485],
      [50.6788, 59.7399, -6.6564],
    ];
    days.forEach((day, i) => {
      expect(day.ctl).toBeCloseTo(expected[i]![0]!, 4);
      expect(day.atl).toBeCloseTo(expected[i]![1]!, 4);
      expect(day.tsb).toBeCloseTo(expected[i]![2]!, 4);
    });
  });

  it('counts unplanned days at the recent average when the athlete chose so', () => {
    // Day 2 now carries 40: CTL = 51.1764 + (40 − 51.1764)·k = 50.9135; ATL = 65.3249 − 25.3249·k = 61.9536.
    // Day 3: TSB = 50.9135 − 61.9536 = −11.0401; CTL = 51.5978; ATL = 64.3560.
    const days = forecastPmc({
      start: { ctl: 50, atl: 60, recentCtl: [] },
      from: '2026-12-01',
      until: '2026-12-03',
      done: [],
      planned: [
        { date: '2026-12-01', stress: 100 },
        { date: '2026-12-03', stress: 80 },
      ],
      unplanned: 'recent_average',
      recentAverage: 40,
    });
    expect(days.map((d) => d.stress)).toEqual([100, 40, 80]);
    expect(days[1]!.ctl).toBeCloseTo(50.9135, 4);
    expect(days[1]!.atl).toBeCloseTo(61.9536, 4);
    expect(days[2]!.tsb).toBeCloseTo(-11.0401, 4);
    expect(days[2]!.ctl).toBeCloseTo(51.5978, 4);
    expect(days[2]!.atl).toBeCloseTo(64.356, 4);
  });

  it('adds what is already done today to what is still planned, and a trained day is not "unplanned"', () => {
    const days = forecastPmc({
      start: { ctl: 50, atl: 60, recentCtl: [] },
      from: '2026-12-01',
      until: '2026-12-02',
      done: [
        { date: '2026-12-01', stress: 30 },
        { date: '2026-12-02', stress: 0 },
      ],
      planned: [{ date: '2026-12-01', stress: 50 }],
      unplanned: 'zero',
      recentAverage: 99,
    });
    expect(days.map((d) => d.stress)).toEqual([80, 0]);
    expect(days[0]!.ctl).toBeCloseTo(50.7058, 4);
    expect(days[0]!.atl).toBeCloseTo(62.6624, 4);
    expect(days[1]!.tsb).toBeCloseTo(-11.9566, 4);
  });

  it('reproduces the worked PMC example of METRICS.md §12 when those days are the plan', () => {
    const stress: Record<string, number> = {
      '2018-01-01': 150,
      '2018-01-02': 150,
      '2018-01-15': 190,
      '2018-01-30': 150,
      '2018-02-02': 190,
      '2018-02-03': 190,
      '2018-02-07': 300,
      '2018-02-08': 300,
      '2018-02-09': 419,
      '2018-02-12': 380,
    };
    const days = forecastPmc({
      start: { ctl: 0, atl: 0, recentCtl: [] },
      from: '2018-01-01',
      until: '2018-02-12',
      done: [],
      planned: Object.entries(stress).map(([date, s]) => ({ date, stress: s })),
      unplanned: 'zero',
      recentAverage: 0,
    });
    const on = (date: string) => days.find((d) => d.date === date)!;
    expect(on('2018-01-15').atl).toBeCloseTo(31.11, 2);
    expect(on('2018-01-15').ctl).toBeCloseTo(9.59, 2);
    expect(on('2018-01-15').tsb).toBeCloseTo(-1.47, 2);
    expect(on('2018-02-12').atl).toBeCloseTo(145.77, 2);
    expect(on('2018-02-12').ctl).toBeCloseTo(45.45, 2);
    expect(on('2018-02-12').tsb).toBeCloseTo(-72.41, 2);
    expect(days).toHaveLength(43);
  });

  it('is empty when the end is before the start', () => {
    expect(
      forecastPmc({
        start: { ctl: 1, atl: 1, recentCtl: [] },
        from: '2026-12-02',
        until: '2026-12-01',
        done: [],
        planned: [],
        unplanned: 'zero',
        recentAverage: 0,
      }),
    ).toEqual([]);
  });
});

describe('recentAverageStress', () => {
  it('averages the window with rest days as 0', () => {
    const days = [
      { date: '2026-11-01', stress: 1000 }, // outside the 28 days ending 11-30
      { date: '2026-11-03', stress: 0 },
      { date: '2026-11-10', stress: 140 },
      { date: '2026-11-30', stress: 140 },
    ];
    expect(recentAverageStress(days, '2026-11-30', 28)).toBeCloseTo(280 / 28, 10);
  });

  it('over a shorter history, averages only the days the athlete has', () => {
    expect(recentAverageStress([{ date: '2026-11-21', stress: 100 }], '2026-11-30', 28)).toBeCloseTo(10, 10);
    expect(recentAverageStress([], '2026-11-30')).toBe(0);
  });
});

describe('a fair forecast', () => {
  it('unplanned days at the recent average hold fitness where it is; zero lets it fall', () => {
    const start = { ctl: 60, atl: 60, recentCtl: [] };
    const base = { start, from: '2026-12-01', until: '2027-01-31', done: [], planned: [], recentAverage: 60 };
    const average = forecastPmc({ ...base, unplanned: 'recent_average' });
    expect(average.every((d) => d.stress === 60)).toBe(true);
    expect(average.at(-1)!.ctl).toBeCloseTo(60, 9);
    const zero = forecastPmc({ ...base, unplanned: 'zero' });
    expect(zero.every((d) => d.stress === 0)).toBe(true);
    // 62 days of rest: CTL = 60 · e^(−62/42) = 13.69.
    expect(zero.at(-1)!.ctl).toBeCloseTo(60 * Math.exp(-62 / 42), 9);
  });

  it('a fall of more than 20 % is reported, 20 % or less is not', () => {
    expect(fitnessFall(58.6, 10.3)).toEqual({ from: 58.6, to: 10.3, share: (58.6 - 10.3) / 58.6 });
    expect(fitnessFall(50, 40)).toBeNull(); // exactly 20 %
    expect(fitnessFall(50, 39.9)?.share).toBeCloseTo(0.202, 9);
    expect(fitnessFall(0, 0)).toBeNull();
    expect(fitnessFallText({ from: 58.6, to: 10.3, share: 0.8242 }, true)).toBe(
      '⚠️ Fitness falls 82 % (58.6 → 10.3) by race day: days without a plan count as rest; plan your training (`/plan add`) or count them at your recent average (`unplanned:recent_average`).',
    );
  });
});
