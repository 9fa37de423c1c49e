/** Calendar days as 'YYYY-MM-DD' strings, handled in UTC so no time zone can shift a day. */

const dayMs = 86_400_000;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) throw new Error(`not a calendar date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / dayMs;
}

export function dateOf(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/** "12 Mar", or "12 Mar 25" when the chart spans more than one calendar year. */
export function dayLabel(date: string, withYear = false): string {
  const d = new Date(dayNumber(date) * dayMs);
  const base = `${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
  return withYear ? `${base} ${String(d.getUTCFullYear()).slice(2)}` : base;
}

export function weekdayLabel(date: string): string {
  return weekdays[new Date(dayNumber(date) * dayMs).getUTCDay()]!;
}
