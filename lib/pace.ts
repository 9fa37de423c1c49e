import { duration, minSec } from './format.ts';

/** "M:SS" (or "MM:SS") to seconds; null when malformed. */
export function parseMinSec(text: string): number | null {
  const match = /^(\d{1,2}):([0-5]\d)$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Kept for callers of the older names: both format through lib/format.ts. */
export const formatMinSec = minSec;
export const formatDuration = duration;
