import { describe, expect, it } from 'vitest';
import { auditNumbers, stripUntraceable } from './numbers-audit.ts';

const evidence = [
  JSON.stringify({
    ctl_fitness: 61.4,
    tsb_form: -12.3,
    ftp_w: 265,
    distance_km: 42.19,
    moving_time: '1:25:30',
    speed: 3.7037,
    intensity_factor: 0.86,
  }),
];

describe('numbers audit', () => {
  it('traces numbers through rounding and unit conversions', () => {
    const answer =
      'Fitness is 61 (61.4), form −12, FTP about 270 W? No: 265 W. You rode 42.2 km (26.2 mi) in 1:25:30, at 4:30/km, IF 86%.';
    const result = auditNumbers(answer.replace('about 270 W? No: ', ''), evidence);
    expect(result.untraceable).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('flags invented numbers and ignores dates, zones, list markers and inline code', () => {
    const answer =
      '1. On 2026-10-25 (Sunday, Oct 25) you spent time in Z2 and zone 4.\n2. Set `/settings ftp:300` — your FTP is 312 W.';
    const result = auditNumbers(answer, evidence);
    expect(result.untraceable.map((finding) => finding.text)).toEqual(['312']);
  });

  it('allows tens rounding only on round numbers, and reads numbers glued to units', () => {
    expect(auditNumbers('Around 270 W', evidence).ok).toBe(true);
    expect(auditNumbers('Exactly 271 W', evidence).ok).toBe(false);
    expect(auditNumbers('You held 312W', evidence).ok).toBe(false);
  });

  it('removes an untraceable number with its unit', () => {
    expect(stripUntraceable('FTP 265 W, VO2max 61.9 ml and 270 W', evidence)).toBe(
      'FTP 265 W, VO2max [unverified number removed] ml and 270 W',
    );
    expect(stripUntraceable('Your 5-minute best is 777 W.', evidence)).toBe(
      'Your 5-minute best is [unverified number removed].',
    );
  });

  it('reads the formats a coach writes: paces, durations in words, signs, thousands, decimals, percent', () => {
    const facts = [
      JSON.stringify({
        ngp_per_km: '4:35',
        moving_time: '1:05:00',
        tsb_form: -12.3,
        ramp_ctl_per_7_days: 5.2,
        stress_tss: 1234,
        ctl_fitness: 12,
        intensity_factor: 0.86,
        change: { ctl_pct: -4.8 },
      }),
    ];
    const ok = (answer: string) => auditNumbers(answer, facts).untraceable.map((finding) => finding.text);
    expect(ok('NGP 4:35/km over 1h 05m, i.e. 1 hour and 5 minutes, or 65 min.')).toEqual([]);
    expect(
      ok('Form −12 (−12.3, -12), ramp +5.2 a week, 1,234 TSS, fitness 12.0, IF 86%, CTL down 4.8% (−4.8%).'),
    ).toEqual([]);
    // A written sign is a claim: a form of -12.3 is not "+12.3", a ramp of 5.2 is not "−5.2".
    const signs = [JSON.stringify({ tsb_form: -12.3, ramp_ctl_per_7_days: 5.2 })];
    expect(
      auditNumbers('Your form is +12.3 and your ramp −5.2.', signs).untraceable.map(
        (finding) => finding.text,
      ),
    ).toEqual(['12.3', '5.2']);
    expect(auditNumbers('Your form is −12.3 (12.3 below zero), ramp +5.2.', signs).ok).toBe(true);
    // A duration in words is one number: 1 h 10 min was never recorded.
    expect(ok('You rode 1h 10m.')).toEqual(['1h 10m']);
    expect(ok('Fitness 12.4, 1,235 TSS.')).toEqual(['12.4', '1,235']);
    // Ranges and dates are not signs.
    expect(ok('Aim for 5-12 TSS on 2026-10-25.')).toEqual([]);
  });

  it('removes only the untraceable occurrence, with its sign', () => {
    const facts = [JSON.stringify({ tsb_form: 12 })];
    expect(stripUntraceable('Form 12, not −12.', facts)).toBe('Form 12, not [unverified number removed].');
  });
});
