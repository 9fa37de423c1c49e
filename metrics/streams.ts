/**
 * Stream input (Strava key_by_type JSON, or the array form) and the 1 Hz series of METRICS.md §1.
 * Inside the engine a missing value is NaN in a Float64Array; nothing NaN ever leaves the engine.
 */

export const channelNames = [
  'watts',
  'heartrate',
  'cadence',
  'velocity_smooth',
  'distance',
  'altitude',
  'grade_smooth',
  'temp',
] as const;
export type Channel = (typeof channelNames)[number];

/** Streams as arrays of (possibly null or bogus) values, index-aligned with `time`. */
export interface RawStreams {
  time: unknown[];
  channels: Partial<Record<Channel, unknown[]>>;
  moving?: unknown[];
  latlng?: unknown[];
}

export class StreamError extends Error {
  override name = 'StreamError';
}

/** Accepts `{"time":{"data":[...]},...}` (key_by_type) or `[{"type":"time","data":[...]},...]`. */
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
  const time = dataOf('time');
  if (!time) throw new StreamError('streams have no "time" stream');
  const channels: RawStreams['channels'] = {};
  for (const name of channelNames) {
    const data = dataOf(name);
    if (data) channels[name] = data;
  }
  const moving = dataOf('moving');
  const latlng = dataOf('latlng');
  return { time, channels, ...(moving ? { moving } : {}), ...(latlng ? { latlng } : {}) };
}

/** Plausible ranges (METRICS.md §1.1); a value outside is missing. */
const validRange: Partial<Record<Channel, [number, number]>> = {
  heartrate: [25, 250],
  watts: [0, 3000],
  velocity_smooth: [0, 40],
  cadence: [0, 300],
  distance: [0, 1e7],
  altitude: [-500, 9000],
  grade_smooth: [-100, 100],
  temp: [-60, 70],
};

const maxFilledGapS = 15;
const maxPauseS = 24 * 3600;

/** One value per recorded second. Channels absent from the input are null. */
export interface Series {
  n: number;
  /** Seconds from the first sample, per recorded second (pauses are not in the series). */
  time: Float64Array;
  power: Float64Array | null;
  hr: Float64Array | null;
  cadence: Float64Array | null;
  /** m/s: velocity_smooth, or derived from the distance stream. */
  speed: Float64Array | null;
  distance: Float64Array | null;
  altitude: Float64Array | null;
  /** Percent. */
  grade: Float64Array | null;
  temp: Float64Array | null;
  /** 1 moving, 0 stopped, per METRICS.md §1.4. */
  moving: Uint8Array;
  /** Seconds inside gaps longer than 15 s (not recorded, so not in the series). */
  pausedS: number;
  /** Samples dropped for a missing, non-finite or non-increasing time. */
  droppedSamples: number;
}

function toNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** METRICS.md §1: drop bad times, validate values, fill gaps ≤ 15 s linearly, skip longer pauses. */
export function toSeries(input: RawStreams): Series {
  let raw = input;
  const times: number[] = [];
  const kept: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < raw.time.length; i++) {
    const t = toNumber(raw.time[i]);
    if (!Number.isFinite(t)) continue;
    const rounded = Math.round(t);
    if (rounded <= last) continue;
    // A jump of more than a day between two samples is a corrupt timestamp, not a pause.
    if (kept.length > 0 && rounded - last > maxPauseS) continue;
    last = rounded;
    times.push(rounded);
    kept.push(i);
  }
  const droppedSamples = raw.time.length - kept.length;
  // A power stream without a single positive value is a meter that was not there, not a 0 W ride.
  if (raw.channels.watts && !raw.channels.watts.some((v) => typeof v === 'number' && v > 0 && v <= 3000)) {
    raw = { ...raw, channels: { ...raw.channels } };
    delete raw.channels.watts;
  }
  const present = channelNames.filter((name) => raw.channels[name] !== undefined);
  const values: Partial<Record<Channel, Float64Array>> = {};
  for (const name of present) {
    const source = raw.channels[name]!;
    const range = validRange[name];
    const column = new Float64Array(kept.length);
    for (let k = 0; k < kept.length; k++) {
      const v = toNumber(source[kept[k]!]);
      column[k] = range && (v < range[0] || v > range[1]) ? Number.NaN : v;
    }
    values[name] = column;
  }
  let movingSource: Float64Array | null = null;
  if (raw.moving) {
    movingSource = new Float64Array(kept.length);
    for (let k = 0; k < kept.length; k++) {
      const v = raw.moving[kept[k]!];
      movingSource[k] = v === true ? 1 : v === false ? 0 : Number.NaN;
    }
  }

  // Count the recorded seconds first, so every column is allocated once.
  let n = 0;
  let pausedS = 0;
  for (let k = 0; k < times.length; k++) {
    if (k === 0) {
      n = 1;
      continue;
    }
    const gap = times[k]! - times[k - 1]!;
    if (gap <= maxFilledGapS) n += gap;
    else {
      n += 1;
      pausedS += gap - 1;
    }
  }
  const time = new Float64Array(n);
  const out: Partial<Record<Channel, Float64Array>> = {};
  for (const name of present) out[name] = new Float64Array(n);
  const movingFlag = movingSource ? new Float64Array(n) : null;
  let s = 0;
  for (let k = 0; k < times.length; k++) {
    const gap = k === 0 ? 0 : times[k]! - times[k - 1]!;
    if (k > 0 && gap <= maxFilledGapS) {
      for (let step = 1; step < gap; step++) {
        const f = step / gap;
        time[s] = times[k - 1]! + step;
        for (const name of present) {
          const a = values[name]![k - 1]!;
          const b = values[name]![k]!;
          out[name]![s] = a + (b - a) * f; // NaN stays NaN where either end is missing
        }
        if (movingFlag)
          movingFlag[s] = movingSource![k - 1]! === 1 && movingSource![k]! === 1 ? 1 : movingSource![k]!;
        s++;
      }
    }
    time[s] = times[k]!;
    for (const name of present) out[name]![s] = values[name]![k]!;
    if (movingFlag) movingFlag[s] = movingSource![k]!;
    s++;
  }

  let speed = out.velocity_smooth ?? null;
  if (!speed && out.distance && increases(out.distance)) {
    // No speed stream: the distance stream gives it (per recorded second). A distance that never grows
    // (an erg or a trainer writing 0 m throughout) is no sensor, as all-zero power is no meter: deriving
    // 0 m/s from it would make the whole session "stopped".
    speed = new Float64Array(n).fill(Number.NaN);
    const d = out.distance;
    for (let i = 1; i < n; i++) {
      const v = d[i]! - d[i - 1]!;
      speed[i] = Number.isFinite(v) && v >= 0 && v <= 40 && time[i]! - time[i - 1]! === 1 ? v : Number.NaN;
    }
  }
  const moving = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = speed ? speed[i]! : Number.NaN;
    if (Number.isFinite(v)) moving[i] = v >= 0.5 ? 1 : 0;
    else if (movingFlag && Number.isFinite(movingFlag[i]!)) moving[i] = movingFlag[i]! === 1 ? 1 : 0;
    else moving[i] = 1;
  }
  return {
    n,
    time,
    power: out.watts ?? null,
    hr: out.heartrate ?? null,
    cadence: out.cadence ?? null,
    speed,
    distance: out.distance ?? null,
    altitude: out.altitude ?? null,
    grade: out.grade_smooth ?? null,
    temp: out.temp ?? null,
    moving,
    pausedS,
    droppedSamples,
  };
}

/** Count of finite values. */
export function presentCount(values: Float64Array | null): number {
  if (!values) return 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) count++;
  return count;
}

/** Whether some finite value is greater than an earlier one. */
function increases(values: Float64Array): boolean {
  let low = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v > low) return true;
    if (v < low) low = v;
  }
  return false;
}
