import { formatMinSec } from '../../lib/pace.ts';

export type Units = 'metric' | 'imperial';

const metresPerMile = 1609.344;

export function distanceText(metres: number, units: Units): string {
  return units === 'imperial'
    ? `${(metres / metresPerMile).toFixed(2)} mi`
    : `${(metres / 1000).toFixed(2)} km`;
}

/** Pace from metres per second: min/km or min/mi. */
export function paceText(speed: number, units: Units): string {
  if (!(speed > 0)) return '—';
  const perUnit = units === 'imperial' ? metresPerMile : 1000;
  return `${formatMinSec(perUnit / speed)} /${units === 'imperial' ? 'mi' : 'km'}`;
}

export function speedText(speed: number, units: Units): string {
  return units === 'imperial'
    ? `${((speed * 3600) / metresPerMile).toFixed(1)} mph`
    : `${(speed * 3.6).toFixed(1)} km/h`;
}

export function elevationText(metres: number, units: Units): string {
  return units === 'imperial' ? `${Math.round(metres / 0.3048)} ft` : `${Math.round(metres)} m`;
}

/** Peak durations as people say them: 5 s, 1 min, 20 min, 1 h. */
export function durationLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${+(seconds / 3600).toFixed(2)} h`;
}
