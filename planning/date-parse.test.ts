import { describe, expect, it } from 'vitest';
import { mondayOf, parseDateInZone } from './date-parse.ts';

const dateIn = (text: string, now: string, zone: string) => {
  const result = parseDateInZone(text, new Date(now), zone);
  if (!result.ok) throw new Error(result.error);
  return result.date;
};

describe('parseDateInZone', () => {
  // 2026-11-25 is a Wednesday.
  const wed = '2026-11-25T12:00:00Z';

  it('reads today, tomorrow, relative days and ISO dates', () => {
    expect(dateIn('today', wed, 'UTC')).toBe('2026-11-25');
    expect(dateIn('Tomorrow', wed, 'UTC')).toBe('2026-11-26');
    expect(dateIn('yesterday', wed, 'UTC')).toBe('2026-11-24');
    expect(dateIn('in 3 days', wed, 'UTC')).toBe('2026-11-28');
    expect(dateIn('+10', wed, 'UTC')).toBe('2026-12-05');
    expect(dateIn('2026-12-05', wed, 'UTC')).toBe('2026-12-05');
    expect(dateIn('2027-1-9', wed, 'UTC')).toBe('2027-01-09');
  });

  it('reads a weekday as the coming such day (today included), "next" as that day of next week', () => {
    expect(dateIn('sat', wed, 'UTC')).toBe('2026-11-28');
    expect(dateIn('Saturday', wed, 'UTC')).toBe('2026-11-28');
    expect(dateIn('wed', wed, 'UTC')).toBe('2026-11-25');
    expect(dateIn('mon', wed, 'UTC')).toBe('2026-11-30');
    expect(dateIn('thurs', wed, 'UTC')).toBe('2026-11-26');
    expect(dateIn('next sat', wed, 'UTC')).toBe('2026-12-05');
    expect(dateIn('next mon', wed, 'UTC')).toBe('2026-11-30');
    expect(dateIn('next wed', wed, 'UTC')).toBe('2026-12-02');
    // On a Sunday, next week's Monday is tomorrow.
    expect(dateIn('next mon', '2026-11-29T12:00:00Z', 'UTC')).toBe('2026-11-30');
  });

  it('reads month and day as the next such day, rolling into next year once passed', () => {
    expect(dateIn('12-05', wed, 'UTC')).toBe('2026-12-05');
    expect(dateIn('11-25', wed, 'UTC')).toBe('2026-11-25');
    expect(dateIn('11-24', wed, 'UTC')).toBe('2027-11-24');
    expect(dateIn('5 dec', wed, 'UTC')).toBe('2026-12-05');
    expect(dateIn('Jan 3', wed, 'UTC')).toBe('2027-01-03');
    expect(dateIn('3 september', wed, 'UTC')).toBe('2027-09-03');
  });

  it('resolves in the athlete’s zone: late evening UTC is already tomorrow in Auckland', () => {
    // 2026-11-25 23:30 UTC = Thursday 26 Nov 12:30 in Auckland (NZDT, +13), still Wednesday in Los Angeles.
    const late = '2026-11-25T23:30:00Z';
    expect(dateIn('today', late, 'Pacific/Auckland')).toBe('2026-11-26');
    expect(dateIn('tomorrow', late, 'Pacific/Auckland')).toBe('2026-11-27');
    expect(dateIn('thu', late, 'Pacific/Auckland')).toBe('2026-11-26');
    expect(dateIn('today', late, 'America/Los_Angeles')).toBe('2026-11-25');
    expect(dateIn('thu', late, 'America/Los_Angeles')).toBe('2026-11-26');
    expect(dateIn('today', late, 'UTC')).toBe('2026-11-25');
  });

  it('is right across a daylight-saving change', () => {
    // New York falls back on 2026-11-01 at 02:00. 2026-11-02 04:30 UTC is 23:30 on Sunday 1 Nov (EST, −5);
    // a fixed −4 offset would have said Monday 00:30.
    const afterFallBack = '2026-11-02T04:30:00Z';
    expect(dateIn('today', afterFallBack, 'America/New_York')).toBe('2026-11-01');
    expect(dateIn('tomorrow', afterFallBack, 'America/New_York')).toBe('2026-11-02');
    expect(dateIn('mon', afterFallBack, 'America/New_York')).toBe('2026-11-02');
    // Spring forward in Europe (2026-03-29 01:00 UTC): 22:30 UTC on the 29th is 00:30 on the 30th in Paris (+2).
    expect(dateIn('today', '2026-03-29T22:30:00Z', 'Europe/Paris')).toBe('2026-03-30');
    expect(dateIn('today', '2026-03-28T22:30:00Z', 'Europe/Paris')).toBe('2026-03-28');
  });

  it('refuses what it cannot read, and impossible dates, with what it accepts', () => {
    const bad = parseDateInZone('someday', new Date(wed), 'UTC');
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('I could not read the date "someday"') });
    expect(bad.ok === false && bad.error).toContain('tomorrow');
    expect(parseDateInZone('2026-02-30', new Date(wed), 'UTC')).toEqual({
      ok: false,
      error: '"2026-02-30" is not a real calendar date.',
    });
    expect(parseDateInZone('13-01', new Date(wed), 'UTC').ok).toBe(false);
    expect(parseDateInZone('5 foo', new Date(wed), 'UTC').ok).toBe(false);
  });

  it('finds the Monday of a week', () => {
    expect(mondayOf('2026-11-25')).toBe('2026-11-23');
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
  });
});
