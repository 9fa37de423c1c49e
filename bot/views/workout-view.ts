import { num } from '../../lib/format.ts';
import { durationLabel, paceText, type Units } from '../../lib/presentation/units.ts';
import type { FormZone } from '../../metrics/pmc.ts';
import { sportFamily } from '../../metrics/sport.ts';

/** Durations a new best is reported at (fewer than the stored peaks, so the message stays short). */
const bestDurations = ['5', '60', '300', '1200', '3600'] as const;

export interface PeakBest {
  channel: 'power' | 'gap_speed';
  duration: string;
  /** Best of the other activities in the last 90 days (null: none had this peak). */
  recent: number | null;
  allTime: number;
}

export interface NewBest {
  channel: 'power' | 'gap_speed';
  duration: number;
  value: number;
  /** The best it beat; null when it is the first of its kind. */
  previous: number | null;
  scope: 'all-time' | '90-day';
}

/**
 * Peaks of a workout above the athlete's 90-day or all-time best (peaks above the all-time best are
 * all-time bests, whatever the 90 days say). A first ever peak is not a "best": nothing was beaten.
 */
export function newBests(
  peaks: { power?: Record<string, number | null>; gap_speed?: Record<string, number | null> },
  bests: PeakBest[],
): NewBest[] {
  const found: NewBest[] = [];
  for (const channel of ['power', 'gap_speed'] as const) {
    for (const duration of bestDurations) {
      const value = peaks[channel]?.[duration];
      if (value === null || value === undefined || !Number.isFinite(value) || value <= 0) continue;
      const best = bests.find((b) => b.channel === channel && b.duration === duration);
      if (!best) continue;
      if (value > best.allTime)
        found.push({ channel, duration: Number(duration), value, previous: best.allTime, scope: 'all-time' });
      else if (best.recent === null || value > best.recent)
        found.push({ channel, duration: Number(duration), value, previous: best.recent, scope: '90-day' });
    }
  }
  return found;
}

export function newBestText(best: NewBest, units: Units): string {
  const value = best.channel === 'power' ? `${Math.round(best.value)} W` : paceText(best.value, units);
  const previous =
    best.previous === null
      ? ''
      : ` (was ${best.channel === 'power' ? `${Math.round(best.previous)} W` : paceText(best.previous, units)})`;
  const what = best.channel === 'power' ? 'power' : 'grade-adjusted pace';
  return `${best.scope === 'all-time' ? '🏆 All-time' : '⭐ 90-day'} best ${durationLabel(best.duration)} ${what}: ${value}${previous}`;
}

/** The intensity line that fits the stress method: NP/IF, NGP/IF, or heart rate. */
export function intensityText(
  w: {
    sport_type: string;
    stress_method: string | null;
    np_w: number | null;
    intensity: number | null;
    avg_hr: number | null;
    metrics: unknown;
  },
  units: Units,
): string | null {
  const m = (w.metrics ?? {}) as { pace?: { ngp_speed?: number | null } | null };
  // A pace is a running pace only for foot sports (METRICS.md §3); a ride's speed is not one.
  const ngp = ['run', 'walk'].includes(sportFamily(w.sport_type)) ? (m.pace?.ngp_speed ?? null) : null;
  const parts: string[] = [];
  if (w.np_w !== null && (w.stress_method === 'power' || ngp === null))
    parts.push(`NP ${Math.round(w.np_w)} W`);
  else if (ngp) parts.push(`NGP ${paceText(ngp, units)}`);
  if (w.intensity !== null && w.stress_method !== 'hr' && w.stress_method !== 'estimated')
    parts.push(`IF ${num(w.intensity, 2)}`);
  if (w.avg_hr !== null) parts.push(`HR ${Math.round(w.avg_hr)} bpm`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

export const methodNames: Record<string, string> = {
  power: 'TSS from power',
  pace: 'rTSS from pace',
  swim: 'sTSS from swim pace',
  hr: 'hrTSS from heart rate',
  estimated: 'estimated from duration',
};

/**
 * The coach's line without a model: what the session was (from its intensity) and what the form after it
 * asks for next.
 */
export function workoutRuleLine(
  intensity: number | null,
  zoneAfter: FormZone,
  method: string | null = null,
): string {
  const session =
    method === 'estimated'
      ? 'Scored by estimate: set your thresholds (`/settings` suggests them) for real numbers.'
      : intensity === null
        ? 'Logged.'
        : intensity >= 0.95
          ? 'A hard session, near or above threshold.'
          : intensity >= 0.8
            ? 'A solid tempo effort.'
            : 'An easy aerobic session: good base work.';
  const next: Record<FormZone, string> = {
    high_risk: 'Fatigue is well above fitness now: make tomorrow easy or a rest day.',
    optimal: 'You are in the productive zone; recover well before the next hard day.',
    neutral: 'Form is balanced: train as planned tomorrow.',
    fresh: 'You are still fresh: room for a key session soon.',
    transition: 'You have rested a lot: keep the training coming.',
  };
  return `${session} ${next[zoneAfter]}`;
}
