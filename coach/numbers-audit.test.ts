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
});
