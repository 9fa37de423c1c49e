import { addDays, localDate } from '../lib/local-time.ts';

/**
 * Dates as athletes type them, resolved to a calendar day in their own time zone:
 * - `today`, `tomorrow`, `yesterday`, `in 3 days`, `+3`;
 * - a weekday (`sat`, `saturday`, `thurs`): the coming such day, today included;
 *   `next sat`: the Saturday of next week (weeks start on Monday);
 * - `2026-12-05`; `12-05` or `5 dec` / `dec 5`: the next such day, today included.
 */
export type ParsedDate = { ok: true; date: string } | { ok: false; error: string };

const weekdayNames: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  weds: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};

export const dateHelp =
  'Use today, tomorrow, a weekday (sat, next mon), in 3 days, 2026-12-05, 12-05 or 5 dec.';

export function parseDateInZone(input: string, now: Date, timeZone: string): ParsedDate {
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  const today = localDate(now, timeZone);
  if (text === '' || text === 'today') return { ok: true, date: today };
  if (text === 'tomorrow' || text === 'tmrw' || text === 'tom') return { ok: true, date: addDays(today, 1) };
  if (text === 'yesterday') return { ok: true, date: addDays(today, -1) };

  const relative = /^(?:in (\d{1,3}) days?|\+(\d{1,3}))$/.exec(text);
  if (relative) return { ok: true, date: addDays(today, Number(relative[1] ?? relative[2])) };

  const weekday = /^(next )?([a-z]+)$/.exec(text);
  if (weekday && weekdayNames[weekday[2]!] !== undefined) {
    const target = weekdayNames[weekday[2]!]!;
    const todayDow = weekdayOf(today);
    if (!weekday[1]) return { ok: true, date: addDays(today, (target - todayDow + 7) % 7) };
    // Monday-based: days since this week's Monday, then the target day one week later.
    const monday = addDays(today, -((todayDow + 6) % 7));
    return { ok: true, date: addDays(monday, 7 + ((target + 6) % 7)) };
  }

  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]), input);

  const monthDay =
    /^(\d{1,2})[-/](\d{1,2})$/.exec(text) ??
    monthName(/^(\d{1,2}) ([a-z]+)\.?$/.exec(text), 2, 1) ??
    monthName(/^([a-z]+)\.? (\d{1,2})$/.exec(text), 1, 2);
  if (monthDay) {
    const month = Number(monthDay[1]);
    const day = Number(monthDay[2]);
    const year = Number(today.slice(0, 4));
    const thisYear = calendarDate(year, month, day, input);
    if (!thisYear.ok) return thisYear;
    return thisYear.date >= today ? thisYear : calendarDate(year + 1, month, day, input);
  }
  return { ok: false, error: `I could not read the date "${input.trim()}". ${dateHelp}` };
}

/** Normalises "5 dec" / "dec 5" to [_, month, day]; null when the word is not a month. */
function monthName(match: RegExpExecArray | null, monthAt: number, dayAt: number): string[] | null {
  if (!match) return null;
  const word = match[monthAt]!;
  const index = fullMonths.findIndex((full) => word.length >= 3 && full.startsWith(word));
  if (index < 0) return null;
  return [match[0]!, String(index + 1), match[dayAt]!];
}

/** Month names, January first (shared with the coach's question parser). */
export const fullMonths = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function calendarDate(year: number, month: number, day: number, input: string): ParsedDate {
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const check = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date) {
    return { ok: false, error: `"${input.trim()}" is not a real calendar date.` };
  }
  return { ok: true, date };
}

/** 0 = Sunday … 6 = Saturday, of a calendar day (no time zone involved). */
function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The Monday of the week a day is in. */
export function mondayOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}
