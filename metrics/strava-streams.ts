import { z } from 'zod';
import { channelNames, checkAligned, type RawStreams, StreamError } from './streams.ts';

// Apart from streams.ts so that what reads only FIT files (`cli analyze file.fit`) does not load zod.

const TimerSchema = z.array(z.tuple([z.number().finite(), z.number().finite()]));
const PoolSchema = z.object({
  lengthM: z.number().positive().finite().nullable(),
  lengths: z.array(
    z.object({ startS: z.number().finite(), durationS: z.number().finite().min(0), active: z.boolean() }),
  ),
});
const SessionSchema = z.object({
  timerS: z.number().finite().nullable(),
  distanceM: z.number().finite().nullable(),
});

/**
 * Accepts `{"time":{"data":[...]},...}` (key_by_type) or `[{"type":"time","data":[...]},...]`. Besides
 * Strava's stream types, `timer`, `pool` and `session` (what a FIT file adds, as `toKeyByType` stores it)
 * are read back. Streams of unequal length are refused.
 */
export function parseStravaStreams(json: unknown): RawStreams {
  const byType: Record<string, unknown> = {};
  if (Array.isArray(json)) {
    for (const entry of json) {
      if (entry && typeof entry === 'object' && typeof (entry as { type?: unknown }).type === 'string') {
        byType[(entry as { type: string }).type] = entry;
      }
    }
  } else if (json && typeof json === 'object') {
    Object.assign(byType, json);
  } else {
    throw new StreamError(
      'streams must be a JSON object keyed by stream type (key_by_type=true) or an array of streams',
    );
  }
  const dataOf = (key: string): unknown[] | undefined => {
    const entry = byType[key];
    if (Array.isArray(entry)) return entry;
    if (entry && typeof entry === 'object' && Array.isArray((entry as { data?: unknown }).data)) {
      return (entry as { data: unknown[] }).data;
    }
    return undefined;
  };
  const objectOf = (key: string): unknown => {
    const entry = byType[key];
    return entry && typeof entry === 'object' && 'data' in entry ? (entry as { data: unknown }).data : entry;
  };
  const time = dataOf('time');
  if (!time) throw new StreamError('streams have no "time" stream');
  const channels: RawStreams['channels'] = {};
  for (const name of channelNames) {
    const data = dataOf(name);
    if (data) channels[name] = data;
  }
  const moving = dataOf('moving');
  const latlng = dataOf('latlng');
  const raw: RawStreams = { time, channels, ...(moving ? { moving } : {}), ...(latlng ? { latlng } : {}) };
  if (byType.timer !== undefined) {
    const timer = TimerSchema.safeParse(objectOf('timer'));
    if (!timer.success) throw new StreamError('the "timer" stream must be a list of [start, stop] seconds');
    raw.timer = timer.data;
  }
  if (byType.pool !== undefined) {
    const pool = PoolSchema.safeParse(objectOf('pool'));
    if (!pool.success) throw new StreamError('the "pool" entry is not a list of swim lengths');
    raw.pool = pool.data;
  }
  if (byType.session !== undefined) {
    const session = SessionSchema.safeParse(objectOf('session'));
    if (!session.success) throw new StreamError('the "session" entry must hold timerS and distanceM');
    raw.session = session.data;
  }
  checkAligned(raw);
  return raw;
}
