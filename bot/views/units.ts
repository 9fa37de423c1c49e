import { distance, durationLabel, elevation, pace, speed, type Units } from '../../lib/format.ts';

/** The views' names for the shared formatters of lib/format.ts (one way to write each unit). */
export type { Units };
export { durationLabel };

export const distanceText = (metres: number, units: Units): string => distance(metres, units);

/** Pace from metres per second: min/km or min/mi. */
export const paceText = (metresPerSecond: number, units: Units): string => pace(metresPerSecond, units);

export const speedText = (metresPerSecond: number, units: Units): string => speed(metresPerSecond, units);

export const elevationText = (metres: number, units: Units): string => elevation(metres, units);
