import { describe, expect, it } from 'vitest';
import { digestDueDate } from './digest-due.ts';

const athlete = (timezone: string, digest_time: string, digest_last_date: string | null = null) => ({
  id: '1',
  timezone,
  digest_time,
  digest_last_date,
});

describe('digestDueDate', () => {
  it('is due from the chosen local time, once per local day', () => {
    const a = athlete('Europe/Paris', '07:00');
    expect(digestDueDate(a, new Date('2026-11-25T05:59:00Z'))).toBeNull(); // 06:59 in Paris
    expect(digestDueDate(a, new Date('2026-11-25T06:00:00Z'))).toBe('2026-11-25'); // 07:00
    expect(
      digestDueDate({ ...a, digest_last_date: '2026-11-25' }, new Date('2026-11-25T20:00:00Z')),
    ).toBeNull();
    expect(digestDueDate({ ...a, digest_last_date: '2026-11-25' }, new Date('2026-11-26T06:00:00Z'))).toBe(
      '2026-11-26',
    );
  });

  it('uses each zone’s own date: late evening UTC is already tomorrow in Auckland', () => {
    const a = athlete('Pacific/Auckland', '06:30', '2026-11-25');
    expect(digestDueDate(a, new Date('2026-11-25T17:30:00Z'))).toBe('2026-11-26'); // 06:30 NZDT
    const la = athlete('America/Los_Angeles', '06:30', '2026-11-24');
    expect(digestDueDate(la, new Date('2026-11-25T14:29:00Z'))).toBeNull(); // 06:29 PST
    expect(digestDueDate(la, new Date('2026-11-25T14:30:00Z'))).toBe('2026-11-25');
  });

  it('a time skipped by daylight saving is sent at the first minute after it; a repeated one once', () => {
    // New York springs forward at 02:00 local on 2026-03-08: 02:30 does not exist.
    const spring = athlete('America/New_York', '02:30', '2026-03-07');
    expect(digestDueDate(spring, new Date('2026-03-08T06:59:00Z'))).toBeNull(); // 01:59 EST
    expect(digestDueDate(spring, new Date('2026-03-08T07:00:00Z'))).toBe('2026-03-08'); // 03:00 EDT
    // It falls back at 02:00 on 2026-11-01: 01:30 happens twice.
    const autumn = athlete('America/New_York', '01:30', '2026-10-31');
    expect(digestDueDate(autumn, new Date('2026-11-01T05:30:00Z'))).toBe('2026-11-01'); // first 01:30 EDT
    expect(
      digestDueDate({ ...autumn, digest_last_date: '2026-11-01' }, new Date('2026-11-01T06:30:00Z')),
    ).toBeNull();
  });
});
