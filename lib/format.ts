/**
 * How every number reaches an athlete: replies, the digest, the rule-based coach and the charts all format
 * through here, so a value reads the same everywhere. One minus sign (U+2212 "−"), never a signed zero;
 * durations as clocks ("1:05:00", "45:00"); paces as m:ss per km or mile; distances, elevation and speed in
 * the athlete's units. Pure functions, no I/O.
 */

export type Units = 'metric' | 'imperial';

const minus = '−';
export const metresPerMile = 1609.344;
const metresPerFoot = 0.3048;
const metresPerYard = 0.9144;

/** A number with `digits` decimals, "−" for negatives, and no sign when it rounds to zero (−0.04 → "0.0"). */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `${minus}${text}` : text;
}

/** A change or a form value with its sign: "+2.7", "−1.8", and "0.0" (unsigned) when it rounds to zero. */
export function signed(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${value > 0 ? '+' : minus}${text}`;
}

/** Whole seconds as a clock: "1:05:00" with hours, "45:00" without; 59.96 s rounds to "1:00". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const sign = seconds < 0 && total > 0 ? minus : '';
  return h > 0
    ? `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
    : `${sign}${m}:${String(s).padStart(2, '0')}`;
}

/** Seconds as m:ss ("4:10"), rounded to the second first so 59.96 s is "1:00", never "0:60". */
export function minSec(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && total > 0 ? minus : '';
  return `${sign}${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** Decimal minutes (a chart's pace axis value, 4.5) as "4:30". */
export function minutesAsMinSec(minutes: number): string {
  return minSec(minutes * 60);
}

/** The pace unit label: "/km" or "/mi". */
export const paceUnit = (units: Units) => (units === 'imperial' ? '/mi' : '/km');

/** A running pace from seconds per kilometre: "4:10 /km", or "6:42 /mi" for an imperial athlete. */
export function paceFromSecondsPerKm(secondsPerKm: number, units: Units): string {
  if (!(secondsPerKm > 0) || !Number.isFinite(secondsPerKm)) return '—';
  const perUnit = units === 'imperial' ? (secondsPerKm * metresPerMile) / 1000 : secondsPerKm;
  return `${minSec(perUnit)} ${paceUnit(units)}`;
}

/** A running pace from metres per second. */
export function pace(speed: number, units: Units): string {
  if (!(speed > 0) || !Number.isFinite(speed)) return '—';
  return paceFromSecondsPerKm(1000 / speed, units);
}

/** A swim pace from seconds per 100 m: "1:45 /100m", or per 100 yd for an imperial athlete. */
export function swimPaceFromSecondsPer100m(secondsPer100m: number, units: Units): string {
  if (!(secondsPer100m > 0) || !Number.isFinite(secondsPer100m)) return '—';
  return units === 'imperial'
    ? `${minSec(secondsPer100m * metresPerYard)} /100yd`
    : `${minSec(secondsPer100m)} /100m`;
}

export function distance(metres: number, units: Units, digits = 2): string {
  return units === 'imperial'
    ? `${num(metres / metresPerMile, digits)} mi`
    : `${num(metres / 1000, digits)} km`;
}

export function elevation(metres: number, units: Units): string {
  return units === 'imperial' ? `${num(metres / metresPerFoot)} ft` : `${num(metres)} m`;
}

export function speed(metresPerSecond: number, units: Units): string {
  return units === 'imperial'
    ? `${num((metresPerSecond * 3600) / metresPerMile, 1)} mph`
    : `${num(metresPerSecond * 3.6, 1)} km/h`;
}

/** Peak durations as people say them: "5 s", "1 min", "20 min", "1 h", "1.5 h". */
export function durationLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${+(seconds / 60).toFixed(1)} min`;
  return `${+(seconds / 3600).toFixed(2)} h`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar day (YYYY-MM-DD) as "Sun 1 Nov", with the year when asked: "Sun 1 Nov 2026". */
export function day(date: string, options: { year?: boolean } = {}): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [, y, m, d] = match;
  const weekday = weekdays[new Date(`${date}T00:00:00Z`).getUTCDay()];
  return `${weekday} ${Number(d)} ${months[Number(m) - 1]}${options.year ? ` ${y}` : ''}`;
}

/** "1 activity", "3 activities". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
