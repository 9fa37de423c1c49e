import type { PlanTarget } from '../db/tables/planning.ts';
import { paceFromSecondsPerKm, paceUnit, type Units } from '../lib/format.ts';
import { parseMinSec } from '../lib/pace.ts';

/**
 * A workout target as typed: `250-270W`, `250 w`, `4:30-4:40/km`, `4:35 /km`, `140-150bpm`.
 * Returns the target, or a message saying what is accepted.
 */
export function parseTarget(input: string): { ok: true; target: PlanTarget } | { ok: false; error: string } {
  const text = input.trim().toLowerCase().replace(/\s+/g, '');
  const fail = {
    ok: false as const,
    error: `I could not read the target "${input.trim()}". Use power (250-270W), pace (4:30-4:40/km) or heart rate (140-150bpm).`,
  };
  const range = (low: number, high: number): [number, number] | null =>
    Number.isFinite(low) && Number.isFinite(high) && low > 0
      ? [Math.min(low, high), Math.max(low, high)]
      : null;

  const watts = /^(\d{2,4})(?:-(\d{2,4}))?w$/.exec(text);
  if (watts) {
    const r = range(Number(watts[1]), Number(watts[2] ?? watts[1]));
    return r && r[1] <= 3000 ? { ok: true, target: { power_w: r } } : fail;
  }
  const bpm = /^(\d{2,3})(?:-(\d{2,3}))?bpm$/.exec(text);
  if (bpm) {
    const r = range(Number(bpm[1]), Number(bpm[2] ?? bpm[1]));
    return r && r[1] <= 250 ? { ok: true, target: { hr_bpm: r } } : fail;
  }
  const pace = /^(\d{1,2}:\d{2})(?:-(\d{1,2}:\d{2}))?\/km$/.exec(text);
  if (pace) {
    const low = parseMinSec(pace[1]!);
    const high = parseMinSec(pace[2] ?? pace[1]!);
    const r = low !== null && high !== null ? range(low, high) : null;
    return r ? { ok: true, target: { pace_s_per_km: r } } : fail;
  }
  return fail;
}

/** A target as the athlete reads it: pace per km, or per mile for an imperial athlete. */
export function formatTarget(target: PlanTarget | null, units: Units = 'metric'): string | null {
  if (!target) return null;
  const parts: string[] = [];
  const span = (r: [number, number], f: (v: number) => string) =>
    r[0] === r[1] ? f(r[0]) : `${f(r[0])}–${f(r[1])}`;
  if (target.power_w) parts.push(`${span(target.power_w, (v) => String(Math.round(v)))} W`);
  if (target.pace_s_per_km) {
    const perUnit = (secondsPerKm: number) => paceFromSecondsPerKm(secondsPerKm, units).split(' ')[0]!;
    parts.push(`${span(target.pace_s_per_km, perUnit)} ${paceUnit(units)}`);
  }
  if (target.hr_bpm) parts.push(`${span(target.hr_bpm, (v) => String(Math.round(v)))} bpm`);
  return parts.length > 0 ? parts.join(', ') : null;
}
