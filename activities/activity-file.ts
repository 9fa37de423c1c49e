import type { RawStreams } from '../metrics/streams.ts';

export type ActivityFileFormat = 'fit' | 'tcx' | 'gpx';

/** One workout read from a file (FIT, TCX or GPX), in the stream shape the metrics engine reads. */
export interface ParsedActivityFile {
  format: ActivityFileFormat;
  /** Seconds from the first sample; channels index-aligned with `time`. */
  streams: RawStreams;
  /** Strava-style sport type, null when the file does not say. */
  sport: string | null;
  /** Absolute time of the first sample (UTC). */
  startTime: Date | null;
  /** A name the file carries (GPX track name, TCX notes), null when none. */
  name: string | null;
  /** What could not be read; the rest was kept. */
  warnings: string[];
}

/** Streams as Strava's key_by_type JSON: the form activity_streams stores and the analyzer reads back. */
export function toKeyByType(streams: RawStreams): Record<string, { data: unknown }> {
  const json: Record<string, { data: unknown }> = { time: { data: streams.time } };
  for (const [name, data] of Object.entries(streams.channels)) if (data) json[name] = { data };
  if (streams.latlng) json.latlng = { data: streams.latlng };
  if (streams.moving) json.moving = { data: streams.moving };
  // What a FIT file adds (the device timer's pauses, pool lengths, the session totals); the analyzer
  // reads them back (parseStravaStreams), so re-analysis keeps the device's own pauses.
  if (streams.timer) json.timer = { data: streams.timer };
  if (streams.pool) json.pool = { data: streams.pool };
  if (streams.session) json.session = { data: streams.session };
  return json;
}

/** Keys of `toKeyByType` that describe the recording rather than being channels of samples. */
export const deviceStreamKeys: readonly string[] = ['timer', 'pool', 'session'];

/** A jump of more than a day between two samples is a corrupt timestamp, not a pause (METRICS.md §1). */
const maxTimeJumpS = 24 * 3600;

/**
 * Keeps the longest run of samples whose timestamps follow each other within a day, dropping the rest
 * with a warning: a garbage record (a real FIT from the Strava app ends with one 64 years late) must not
 * make a workout last decades or start in another year. Times are rebased to the run's first sample.
 */
export function dropCorruptTimes(parsed: ParsedActivityFile): ParsedActivityFile {
  const time = parsed.streams.time;
  let best = { from: 0, to: 0 };
  let from = -1;
  let last = Number.NaN;
  const close = (to: number) => {
    if (from >= 0 && to - from > best.to - best.from) best = { from, to };
  };
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) continue;
    if (from < 0 || Math.abs(t - last) > maxTimeJumpS) {
      close(i);
      from = i;
    }
    last = t;
  }
  close(time.length);
  if (best.from === 0 && best.to === time.length) return parsed;
  const dropped = time.length - (best.to - best.from);
  const slice = <T>(values: T[] | undefined) => values?.slice(best.from, best.to);
  const offset = time[best.from] as number;
  const channels: RawStreams['channels'] = {};
  for (const [name, data] of Object.entries(parsed.streams.channels)) {
    if (data) channels[name as keyof typeof channels] = slice(data);
  }
  return {
    ...parsed,
    streams: {
      time: time.slice(best.from, best.to).map((t) => (typeof t === 'number' ? t - offset : t)),
      channels,
      ...(parsed.streams.latlng ? { latlng: slice(parsed.streams.latlng) } : {}),
      ...(parsed.streams.moving ? { moving: slice(parsed.streams.moving) } : {}),
    },
    startTime: parsed.startTime ? new Date(parsed.startTime.getTime() + offset * 1000) : null,
    warnings: [
      ...parsed.warnings,
      `${dropped} ${dropped === 1 ? 'sample' : 'samples'} with an impossible timestamp (more than a day from the rest) dropped`,
    ],
  };
}

/** Elapsed seconds between first and last sample (0 for fewer than two). */
export function streamDurationS(streams: RawStreams): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of streams.time) {
    if (typeof t !== 'number' || !Number.isFinite(t)) continue;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return max > min ? max - min : 0;
}

/** Total distance (m) from the distance stream's last finite value, null when there is none. */
export function streamDistanceM(streams: RawStreams): number | null {
  const d = streams.channels.distance;
  if (!d) return null;
  for (let i = d.length - 1; i >= 0; i--) {
    const v = d[i];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
}

/** Sum of positive altitude changes over 1 m hysteresis, null without altitude. */
export function streamElevationGainM(streams: RawStreams): number | null {
  const a = streams.channels.altitude;
  if (!a) return null;
  let gain = 0;
  let base: number | null = null;
  for (const v of a) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (base === null) base = v;
    else if (v - base >= 1) {
      gain += v - base;
      base = v;
    } else if (v < base) base = v;
  }
  return base === null ? null : gain;
}

/** Great-circle distance in metres (haversine), for files that carry positions but no distance. */
export function haversineM(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLng = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}
