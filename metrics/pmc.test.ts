import { describe, expect, it } from 'vitest';
import { computePmc, extendPmc, formReading, pmcFrom } from './pmc.ts';

const at = (rows: ReturnType<typeof computePmc>, date: string) => rows.find((row) => row.date === date)!;

describe('PMC', () => {
  it('matches the worked example of METRICS.md §12', () => {
    const stress: [string, number][] = [
      ['2018-01-01', 150],
      ['2018-01-02', 150],
      ['2018-01-15', 190],
      ['2018-01-30', 150],
      ['2018-02-02', 190],
      ['2018-02-03', 190],
      ['2018-02-07', 300],
      ['2018-02-08', 300],
      ['2018-02-09', 419],
      ['2018-02-12', 380],
    ];
    const rows = computePmc([
      { date: '2017-12-31', stress: 0 },
      ...stress.map(([date, s]) => ({ date, stress: s })),
    ]);
    const jan15 = at(rows, '2018-01-15');
    expect(jan15.atl.toFixed(2)).toBe('31.11');
    expect(jan15.ctl.toFixed(2)).toBe('9.59');
    expect(jan15.tsb.toFixed(2)).toBe('-1.47');
    const feb12 = at(rows, '2018-02-12');
    expect(feb12.atl.toFixed(2)).toBe('145.77');
    expect(feb12.ctl.toFixed(2)).toBe('45.45');
    expect(feb12.tsb.toFixed(2)).toBe('-72.41');
  });

  it('a hand-computed 10 days', () => {
    const kc = 1 - Math.exp(-1 / 42);
    const ka = 1 - Math.exp(-1 / 7);
    const stress = [100, 0, 50, 0, 0, 120, 80, 0, 0, 60];
    let ctl = 0;
    let atl = 0;
    const ctls: number[] = [];
    const expected = stress.map((s, i) => {
      const tsb = ctl - atl;
      ctl += (s - ctl) * kc;
      atl += (s - atl) * ka;
      ctls.push(ctl);
      return { ctl, atl, tsb, ramp: ctl - (i >= 7 ? ctls[i - 7]! : 0) };
    });
    const rows = computePmc(
      stress.map((s, i) => ({ date: `2026-03-${String(i + 1).padStart(2, '0')}`, stress: s })),
    );
    expect(rows).toHaveLength(10);
    rows.forEach((row, i) => {
      expect(row.ctl).toBeCloseTo(expected[i]!.ctl, 12);
      expect(row.atl).toBeCloseTo(expected[i]!.atl, 12);
      expect(row.tsb).toBeCloseTo(expected[i]!.tsb, 12);
      expect(row.ramp).toBeCloseTo(expected[i]!.ramp, 12);
    });
    // Day 1 by hand: CTL = 100 × (1 − e^(−1/42)) = 2.35283, ATL = 100 × (1 − e^(−1/7)) = 13.3122.
    expect(rows[0]!.ctl.toFixed(5)).toBe('2.35283');
    expect(rows[0]!.atl.toFixed(4)).toBe('13.3122');
    expect(rows[1]!.tsb.toFixed(4)).toBe('-10.9594');
  });

  it('the incremental form equals a full recomputation', () => {
    const days = Array.from({ length: 60 }, (_, i) => ({
      date: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      stress: (i * 37) % 150,
    }));
    const full = computePmc(days);
    const head = full.slice(0, 30);
    const tail = pmcFrom(
      { ctl: head.at(-1)!.ctl, atl: head.at(-1)!.atl, recentCtl: head.slice(-7).map((r) => r.ctl) },
      days.slice(30),
    );
    expect(tail).toEqual(full.slice(30));
  });

  it('a recompute within the first week equals the full chart when it knows the seed', () => {
    // Seed CTL 20. Day 1 stress 100, then recompute from day 4 with only days 1–3 stored: the ramp of
    // day 4 looks back to day −3, before the chart, whose CTL is the seed (20), not day 1's CTL.
    const days = [100, 0, 50, 80, 0, 0, 0, 0, 0, 120].map((stress, i) => ({
      date: `2026-05-${String(i + 1).padStart(2, '0')}`,
      stress,
    }));
    const full = computePmc(days, { seedCtl: 20, seedAtl: 20 });
    const head = full.slice(0, 3);
    const tail = pmcFrom(
      { ctl: head[2]!.ctl, atl: head[2]!.atl, recentCtl: head.map((r) => r.ctl), seedCtl: 20 },
      days.slice(3),
    );
    expect(tail).toEqual(full.slice(3));
    // By hand: CTL(day 4) = CTL(day 3) + (80 − CTL(day 3)) × (1 − e^(−1/42)), ramp = that − 20.
    const k = 1 - Math.exp(-1 / 42);
    expect(tail[0]!.ramp).toBeCloseTo(head[2]!.ctl + (80 - head[2]!.ctl) * k - 20, 12);
    expect(extendPmc(head, '2026-05-06', { seedCtl: 20 }).at(-1)!.ramp).toBeCloseTo(
      computePmc(days.slice(0, 3), { seedCtl: 20, seedAtl: 20, until: '2026-05-06' }).at(-1)!.ramp,
      12,
    );
  });

  it('fills gaps with zero, ignores bad stress values, honours time constants and seeds', () => {
    const rows = computePmc(
      [
        { date: '2026-01-01', stress: 100 },
        { date: '2026-01-04', stress: Number.NaN },
        { date: '2026-01-05', stress: -20 },
      ],
      { ctlDays: 28, atlDays: 5, seedCtl: 40, seedAtl: 50, until: '2026-01-07' },
    );
    expect(rows.map((r) => r.date)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
    ]);
    expect(rows[0]!.tsb).toBe(-10);
    expect(rows[0]!.ctl).toBeCloseTo(40 + 60 * (1 - Math.exp(-1 / 28)), 12);
    expect(rows.every((r) => Number.isFinite(r.ctl) && Number.isFinite(r.atl) && r.stress >= 0)).toBe(true);
  });

  it('reads form in the METRICS.md zones', () => {
    expect([30, 25.1, 25, 5.1, 5, -10, -10.1, -30, -30.1].map((t) => formReading(t).zone)).toEqual([
      'transition',
      'transition',
      'fresh',
      'fresh',
      'neutral',
      'neutral',
      'optimal',
      'optimal',
      'high_risk',
    ]);
  });

  it('extendPmc continues stored rows with rest days, exactly as a full recompute would', () => {
    const input = [
      { date: '2026-03-01', stress: 100 },
      { date: '2026-03-02', stress: 60 },
      { date: '2026-03-05', stress: 80 },
      { date: '2026-03-08', stress: 40 },
    ];
    // At least 7 stored days, so the ramp of carried days has its week-old CTL.
    const stored = computePmc(input);
    const extended = extendPmc(stored, '2026-03-20');
    const full = computePmc(input, { until: '2026-03-20' });
    expect(extended.map((r) => r.date)).toEqual(full.map((r) => r.date));
    extended.forEach((row, i) => {
      expect(row.ctl).toBeCloseTo(full[i]!.ctl, 12);
      expect(row.atl).toBeCloseTo(full[i]!.atl, 12);
      expect(row.tsb).toBeCloseTo(full[i]!.tsb, 12);
      expect(row.ramp).toBeCloseTo(full[i]!.ramp, 12);
    });
    expect(extendPmc(stored, '2026-03-02')).toBe(stored);
    expect(extendPmc([], '2026-03-02')).toEqual([]);
  });
});
