/** Calendar helpers in an athlete's IANA time zone (Intl does the zone rules, DST included). */

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one (digest ticks). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Local wall-clock time at `instant` in `zone`: the date, 'HH:MM', and 'YYYY-MM-DD HH:MM:SS'. */
export function wallClock(instant: Date, zone: string): { date: string; time: string; dateTime: string } {
  const parts = formatterFor(zone).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const time = `${get('hour')}:${get('minute')}`;
  return { date, time, dateTime: `${date} ${time}:${get('second')}` };
}

/** The local date (YYYY-MM-DD) and time (HH:MM) at `instant` in `zone`. */
export function localDateTime(instant: Date, zone: string): { date: string; time: string } {
  const { date, time } = wallClock(instant, zone);
  return { date, time };
}

export function localDate(instant: Date, zone: string): string {
  return localDateTime(instant, zone).date;
}

/** YYYY-MM-DD plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
