import { createRequire } from 'node:module';
import {
  emptyColumns,
  fitCrc,
  pushRecord,
  type RecordColumns,
  type SplitRecords,
  splitRecords,
} from './fit-records.ts';
import type { RawStreams } from './streams.ts';

/** What the device itself computed for a session (its `session` message), for cross-checks. */
interface FitDeviceSummary {
  normalizedPower: number | null;
  avgPower: number | null;
  tss: number | null;
  intensityFactor: number | null;
  thresholdPower: number | null;
  avgHeartRate: number | null;
  maxHeartRate: number | null;
  timerTimeS: number | null;
  elapsedTimeS: number | null;
  distanceM: number | null;
  avgSpeed: number | null;
  poolLengthM: number | null;
}

/** One session of a FIT file: a leg of a multisport file, or the whole activity (METRICS.md §1.5). */
export interface FitLeg {
  /** Seconds from the leg's first record; carries the device timer and pool lengths when the file has them. */
  streams: RawStreams;
  /** Strava-style sport name from the session (or sport) message, null when the file has none. */
  sport: string | null;
  startTime: Date | null;
  device: FitDeviceSummary;
  /** What could not be read; the rest was kept. */
  warnings: string[];
}

/**
 * A decoded activity file. The top-level fields are the first leg's (the whole activity for a file with
 * one session); `legs` holds every session in order. Nothing is computed across legs.
 */
export interface FitActivity extends FitLeg {
  legs: FitLeg[];
}

export class FitError extends Error {
  override name = 'FitError';
}

/** The file is valid FIT but holds no activity (settings, a workout, monitoring, a course...). */
export class FitNotActivityError extends FitError {
  override name = 'FitNotActivityError';
  constructor(readonly fileType: string) {
    super(
      `this FIT file holds ${/^[aeiou]/i.test(fileType) ? 'an' : 'a'} ${fileType} file, not an activity (no workout to analyse)`,
    );
  }
}

const semicirclesToDegrees = 180 / 2 ** 31;

/** FIT sport (and sub-sport) to the Strava sport type the rest of the product speaks. */
function fitSportToStrava(sport: string | undefined, subSport: string | undefined): string | null {
  if (!sport) return null;
  const sub = subSport ?? '';
  const map: Record<string, string> = {
    cycling: /virtual|indoor|spin/i.test(sub)
      ? 'VirtualRide'
      : /mountain/i.test(sub)
        ? 'MountainBikeRide'
        : /gravel/i.test(sub)
          ? 'GravelRide'
          : 'Ride',
    eBiking: 'EBikeRide',
    running: /treadmill|virtual|indoor/i.test(sub) ? 'VirtualRun' : /trail/i.test(sub) ? 'TrailRun' : 'Run',
    swimming: 'Swim',
    walking: 'Walk',
    hiking: 'Hike',
    rowing: 'Rowing',
    standUpPaddleboarding: 'StandUpPaddling',
    kayaking: 'Kayaking',
    crossCountrySkiing: 'NordicSki',
    alpineSkiing: 'AlpineSki',
    training: /strength/i.test(sub) ? 'WeightTraining' : 'Workout',
    fitnessEquipment: /rowing/i.test(sub)
      ? 'Rowing'
      : /elliptical/i.test(sub)
        ? 'Elliptical'
        : /stair/i.test(sub)
          ? 'StairStepper'
          : 'Workout',
    transition: 'Transition',
    generic: 'Workout',
    multisport: 'Workout',
  };
  return map[sport] ?? sport.charAt(0).toUpperCase() + sport.slice(1);
}

type Mesg = Record<string, unknown>;
type FitSdk = typeof import('@garmin/fitsdk');
type Messages = ReturnType<InstanceType<FitSdk['Decoder']>['read']>['messages'];

let sdk: FitSdk | undefined;
/**
 * @garmin/fitsdk, loaded on first use (synchronously: from Node 22.13 on, require() of an ES module
 * works without a warning on stderr, hence engines ≥ 22.13): an ordinary activity never needs it (fit-records.ts reads it whole), and its 1 MB profile took ~60 ms of
 * `cli analyze` (issue 16).
 */
function fitSdk(): FitSdk {
  sdk ??= createRequire(import.meta.url)('@garmin/fitsdk') as FitSdk;
  return sdk;
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);

/**
 * Decodes a FIT activity into the stream shape the engine reads (seconds from the leg's first record,
 * speed, distance, altitude, heart rate, power, cadence, temperature, position), one leg per `session`
 * message, each with its own records (by time range), timer events (the pauses) and pool lengths. A partly
 * corrupt file keeps every record decoded before the damage, with a warning saying what was lost. A FIT
 * file that is not an activity (settings, workout, monitoring...) is refused with FitNotActivityError.
 */
export function fitToStreams(input: Uint8Array): FitActivity {
  const legs = fitToLegs(input);
  return { ...legs[0]!, legs };
}

/**
 * `sdkOnly`: decode every message with @garmin/fitsdk (the reference the fast record path is tested
 * against). `positions: false`: no `latlng` stream (the analysis does not read it; `cli analyze` skips
 * building one small array per record).
 */
export function fitToLegs(
  input: Uint8Array,
  options: { sdkOnly?: boolean; positions?: boolean } = {},
): FitLeg[] {
  const positions = options.positions ?? true;
  const warnings: string[] = [];
  // A file the direct reader takes has no compressed timestamps (it refuses them): no pass to expand them.
  let split = options.sdkOnly ? null : splitRecords(input);
  let bytes = input;
  if (!split) {
    try {
      bytes = expandCompressedTimestamps(input) ?? input;
    } catch (error) {
      warnings.push(
        `could not expand compressed timestamps: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (bytes !== input && !options.sdkOnly) split = splitRecords(bytes);
  }
  const { messages, records, errors } = decodeMessages(bytes, split);
  for (const error of errors)
    warnings.push(`decoding stopped early: ${error instanceof Error ? error.message : String(error)}`);
  const fileType = ((messages.fileIdMesgs ?? []) as Mesg[])[0]?.type;
  if (typeof fileType === 'string' && fileType !== 'activity') throw new FitNotActivityError(fileType);
  const sessions = ((messages.sessionMesgs ?? []) as Mesg[]).filter((s) => ms(s.startTime) !== null);
  const sportMesg = ((messages.sportMesgs ?? []) as Mesg[])[0];
  const timerEvents = ((messages.eventMesgs ?? []) as Mesg[])
    .filter((e) => e.event === 'timer' && ms(e.timestamp) !== null)
    .sort((a, b) => ms(a.timestamp)! - ms(b.timestamp)!);
  const lengths = ((messages.lengthMesgs ?? []) as Mesg[]).filter((l) => ms(l.startTime) !== null);
  let timedCount = 0;
  for (let i = 0; i < records.n; i++) if (!Number.isNaN(records.time[i]!)) timedCount++;
  if (timedCount < records.n)
    warnings.push(`${records.n - timedCount} records without a timestamp were skipped`);
  if (timedCount === 0 && records.n === 0 && errors.length > 0) warnings.push('no records could be read');
  if (typeof fileType !== 'string' && timedCount === 0 && sessions.length === 0)
    throw new FitNotActivityError('non-activity');
  sessions.sort((a, b) => ms(a.startTime)! - ms(b.startTime)!);

  if (sessions.length <= 1) {
    const session = sessions[0];
    return [
      buildLeg(
        records,
        timerEvents,
        lengths,
        session,
        sportMesg,
        Number.NEGATIVE_INFINITY,
        Infinity,
        warnings,
        positions,
      ),
    ];
  }
  // A record belongs to the session whose span holds it: from its start to the next session's start.
  return sessions.map((session, i) => {
    const from = i === 0 ? Number.NEGATIVE_INFINITY : ms(session.startTime)!;
    const to = i + 1 < sessions.length ? ms(sessions[i + 1]!.startTime)! : Number.POSITIVE_INFINITY;
    return buildLeg(records, timerEvents, lengths, session, undefined, from, to, [...warnings], positions);
  });
}

/**
 * The file's messages as @garmin/fitsdk decodes them. fit-records.ts's direct reader gives them all when
 * it can reproduce them exactly (an ordinary activity: the SDK is not loaded), or the records alone (most
 * of the decode time), the rest of the file then from the SDK; anything unusual goes to the SDK whole.
 * `split`: the direct reader's answer for `bytes` (null: it refused them, or `sdkOnly`). The records come
 * back as columns either way. Throws FitError for a file without a FIT header.
 */
function decodeMessages(
  bytes: Uint8Array,
  split: SplitRecords | null,
): { messages: Messages; records: RecordColumns; errors: unknown[] } {
  // splitRecords checks the header as the SDK's isFIT does.
  if (split?.messages) return { messages: split.messages as Messages, records: split.records, errors: [] };
  const { Decoder, Stream } = fitSdk();
  const stream = Stream.fromByteArray(bytes);
  if (!Decoder.isFIT(stream)) throw new FitError('not a FIT file (no FIT header)');
  const read = (from: InstanceType<FitSdk['Stream']>) =>
    // No separate checkIntegrity() pass: read() checks the CRC and size itself and reports them as errors.
    new Decoder(from).read({
      convertDateTimesToDates: true,
      expandComponents: true,
      mergeHeartRates: true,
    });
  if (split) {
    const rest = read(Stream.fromByteArray(split.rest));
    // An error in the rest would have stopped the SDK part way through the records too: decode it all.
    if (rest.errors.length === 0) return { ...rest, records: split.records };
  }
  const whole = read(stream);
  return { ...whole, records: recordColumns((whole.messages.recordMesgs ?? []) as Mesg[]) };
}

/** The SDK's record messages as fit-records.ts's columns. */
function recordColumns(records: Mesg[]): RecordColumns {
  const columns = emptyColumns(Math.max(16, records.length));
  for (const r of records)
    pushRecord(
      columns,
      r.timestamp instanceof Date ? r.timestamp.getTime() : Number.NaN,
      r.power,
      r.heartRate,
      r.cadence,
      r.speed,
      r.enhancedSpeed,
      r.distance,
      r.altitude,
      r.enhancedAltitude,
      r.temperature,
      r.positionLat,
      r.positionLong,
    );
  return columns;
}

/** The leg of records in [fromMs, toMs), with its timer (running intervals) and lengths. */
function buildLeg(
  records: RecordColumns,
  timerEvents: Mesg[],
  allLengths: Mesg[],
  session: Mesg | undefined,
  sportMesg: Mesg | undefined,
  fromMs: number,
  toMs: number,
  warnings: string[],
  positions: boolean,
): FitLeg {
  const inLeg = (t: number) => t >= fromMs && t < toMs;
  const sessionStart = ms(session?.startTime);
  const allTimes = records.time;
  // The leg's records: those with a time in the leg, in file order (a time-less record is in none).
  let first = -1;
  let lastTime: number | null = null;
  for (let i = 0; i < records.n; i++) {
    if (inLeg(allTimes[i]!)) {
      if (first < 0) first = i;
      lastTime = allTimes[i]!;
    }
  }
  const startMs = first >= 0 ? allTimes[first]! : sessionStart;
  // Which records, then each channel in one pass over them (only the channels with a value: the others
  // are left out of the streams anyway).
  const picked = new Int32Array(records.n);
  let m = 0;
  for (let i = Math.max(first, 0); i < records.n; i++) if (inLeg(allTimes[i]!)) picked[m++] = i;
  const time: number[] = new Array(m);
  for (let j = 0; j < m; j++) time[j] = (allTimes[picked[j]!]! - startMs!) / 1000;
  const channel = (column: Float64Array): (number | null)[] | undefined => {
    let j = 0;
    while (j < m && Number.isNaN(column[picked[j]!]!)) j++;
    if (j === m) return undefined;
    const values: (number | null)[] = new Array(m).fill(null);
    for (; j < m; j++) {
      const v = column[picked[j]!]!;
      if (!Number.isNaN(v)) values[j] = v;
    }
    return values;
  };
  const channels: RawStreams['channels'] = {};
  const watts = channel(records.power);
  if (watts) channels.watts = watts;
  const heartrate = channel(records.heartRate);
  if (heartrate) channels.heartrate = heartrate;
  const cadence = channel(records.cadence);
  if (cadence) channels.cadence = cadence;
  const speed = channel(records.speed);
  if (speed) channels.velocity_smooth = speed;
  const distance = channel(records.distance);
  if (distance) channels.distance = distance;
  const altitude = channel(records.altitude);
  if (altitude) channels.altitude = altitude;
  const temp = channel(records.temperature);
  if (temp) channels.temp = temp;
  let latlng: ([number, number] | null)[] | null = null;
  if (positions) {
    latlng = new Array(m).fill(null);
    let anyPosition = false;
    for (let j = 0; j < m; j++) {
      const lat = records.lat[picked[j]!]!;
      const lng = records.lng[picked[j]!]!;
      if (!Number.isNaN(lat) && !Number.isNaN(lng)) {
        latlng[j] = [lat * semicirclesToDegrees, lng * semicirclesToDegrees];
        anyPosition = true;
      }
    }
    if (!anyPosition) latlng = null;
  }
  const streams: RawStreams = { time, channels, ...(latlng ? { latlng } : {}) };

  if (startMs !== null && timerEvents.length > 0) {
    // The device timer decides the pauses (§1.2): running from a start to the next stop. The timer's
    // state at the leg's start carries over from earlier events (a multisport watch keeps running).
    const rel = (t: number) => (t - startMs) / 1000;
    const legStart = Number.isFinite(fromMs) ? fromMs : Math.min(startMs, ms(timerEvents[0]!.timestamp)!);
    // No event before the leg: it runs from its start (a multisport watch may log the timer only for the
    // last leg, and records before the first start are not between a stop and a start).
    let running = true;
    let since = legStart;
    const intervals: [number, number][] = [];
    for (const event of timerEvents) {
      const t = ms(event.timestamp)!;
      if (t >= toMs) break;
      const starts = event.eventType === 'start';
      const stops = typeof event.eventType === 'string' && event.eventType.startsWith('stop');
      if (t < legStart) {
        if (starts) running = true;
        else if (stops) running = false;
        since = legStart;
        continue;
      }
      if (starts && !running) {
        running = true;
        since = t;
      } else if (stops && running) {
        running = false;
        if (t > since) intervals.push([rel(since), rel(t)]);
      }
    }
    if (running) {
      // No stop before the leg ends: the timer runs to the leg's end (the next session, or the session's
      // own elapsed span, or the last record).
      const sessionEnd =
        sessionStart !== null && num(session?.totalElapsedTime) !== null
          ? sessionStart + num(session?.totalElapsedTime)! * 1000
          : null;
      const lastRecord = lastTime;
      const end = Number.isFinite(toMs) ? toMs : Math.max(sessionEnd ?? 0, (lastRecord ?? 0) + 1000);
      if (end > since) intervals.push([rel(since), rel(end)]);
    }
    streams.timer = intervals;
  }

  const lengths = allLengths.filter((l) => inLeg(ms(l.startTime)!));
  const poolLength = num(session?.poolLength);
  if (startMs !== null && lengths.length > 0) {
    streams.pool = {
      lengthM: poolLength ?? null,
      lengths: lengths.map((l) => ({
        startS: (ms(l.startTime)! - startMs) / 1000,
        durationS: num(l.totalTimerTime) ?? num(l.totalElapsedTime) ?? 0,
        active: l.lengthType !== 'idle',
      })),
    };
  }
  const timerS = num(session?.totalTimerTime);
  if (session) streams.session = { timerS, distanceM: num(session.totalDistance) };

  const sessionSport = (session?.sport ?? sportMesg?.sport) as string | undefined;
  const subSport = (session?.subSport ?? sportMesg?.subSport) as string | undefined;
  let sport = fitSportToStrava(sessionSport, subSport);
  if (!sport && channels.watts) sport = 'Ride';
  const positive = (value: unknown) => num(value) || null;
  return {
    streams,
    sport,
    startTime: startMs !== null ? new Date(startMs) : null,
    device: {
      normalizedPower: positive(session?.normalizedPower),
      avgPower: positive(session?.avgPower),
      tss: positive(session?.trainingStressScore),
      intensityFactor: positive(session?.intensityFactor),
      thresholdPower: positive(session?.thresholdPower),
      avgHeartRate: positive(session?.avgHeartRate),
      maxHeartRate: positive(session?.maxHeartRate),
      timerTimeS: positive(session?.totalTimerTime),
      elapsedTimeS: positive(session?.totalElapsedTime),
      distanceM: positive(session?.totalDistance),
      avgSpeed: positive(session?.enhancedAvgSpeed) ?? positive(session?.avgSpeed),
      poolLengthM: positive(session?.poolLength),
    },
    warnings,
  };
}

const timestampField = 253;
const offsetMask = 0x1f;

interface Definition {
  /** The whole definition message, its header byte included. */
  bytes: Uint8Array;
  littleEndian: boolean;
  fieldCount: number;
  fieldsSize: number;
  devFieldsSize: number;
  /** Offset of a 4-byte field 253 (timestamp) in the message's data, if the definition has one. */
  timestampAt: number | null;
}

/**
 * Compressed-timestamp records (a 1-byte header carrying the low 5 bits of the time, written by older
 * Forerunners) are valid FIT that @garmin/fitsdk rejects ("not currently supported"), which lost every
 * record of such files. This rewrites the first FIT file's compressed records as ordinary data messages
 * with a full timestamp field, under a local message type the file does not use, and fixes the data size
 * and the CRCs. Returns null (bytes untouched) when the file has no compressed record.
 */
export function expandCompressedTimestamps(bytes: Uint8Array): Uint8Array | null {
  const headerSize = bytes[0] ?? 0;
  if ((headerSize !== 12 && headerSize !== 14) || bytes.length < headerSize + 2) return null;
  const dataEnd =
    headerSize + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (dataEnd + 2 > bytes.length) return null;

  // Walks the records; `visit` sees each record with the definition it uses (null for definitions).
  const walk = (visit: (at: number, size: number, definition: Definition | null) => void) => {
    const definitions = new Map<number, Definition>();
    let at = headerSize;
    while (at < dataEnd) {
      const header = bytes[at]!;
      if (header & 0x80 || !(header & 0x40)) {
        const type = header & 0x80 ? (header >> 5) & 0x03 : header & 0x0f;
        const definition = definitions.get(type);
        if (!definition) throw new Error(`a record at byte ${at} has no definition`);
        const size = 1 + definition.fieldsSize + definition.devFieldsSize;
        visit(at, size, definition);
        at += size;
        continue;
      }
      const fieldCount = bytes[at + 5]!;
      let fieldsSize = 0;
      let timestampAt: number | null = null;
      for (let f = 0; f < fieldCount; f++) {
        const field = at + 6 + f * 3;
        if (bytes[field] === timestampField && bytes[field + 1] === 4) timestampAt = fieldsSize;
        fieldsSize += bytes[field + 1]!;
      }
      let end = at + 6 + fieldCount * 3;
      let devFieldsSize = 0;
      if (header & 0x20) {
        const devCount = bytes[end]!;
        for (let f = 0; f < devCount; f++) devFieldsSize += bytes[end + 2 + f * 3]!;
        end += 1 + devCount * 3;
      }
      const definition: Definition = {
        bytes: bytes.subarray(at, end),
        littleEndian: bytes[at + 2] === 0,
        fieldCount,
        fieldsSize,
        devFieldsSize,
        timestampAt,
      };
      definitions.set(header & 0x0f, definition);
      visit(at, end - at, null);
      at = end;
    }
  };

  const usedTypes = new Set<number>();
  let compressed = false;
  try {
    walk((at) => {
      const header = bytes[at]!;
      if (header & 0x80) compressed = true;
      else usedTypes.add(header & 0x0f);
    });
  } catch {
    return null; // damaged: the decoder reads what it can and says what was lost
  }
  if (!compressed) return null;
  const spare = [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4].find((type) => !usedTypes.has(type));
  if (spare === undefined) throw new Error('no free local message type');

  const out: number[] = Array.from(bytes.subarray(0, headerSize));
  let lastTimestamp: number | null = null;
  let loaded: Definition | null = null; // what the spare type holds (extended with a timestamp)
  walk((at, size, definition) => {
    const header = bytes[at]!;
    if (!definition || !(header & 0x80)) {
      if (definition?.timestampAt != null) {
        const data = new DataView(bytes.buffer, bytes.byteOffset + at + 1, definition.fieldsSize);
        lastTimestamp = data.getUint32(definition.timestampAt, definition.littleEndian);
      }
      for (let i = at; i < at + size; i++) out.push(bytes[i]!);
      return;
    }
    if (lastTimestamp === null) throw new Error(`a compressed record at byte ${at} precedes every timestamp`);
    // The 5-bit offset replaces the low bits of the last full timestamp, rolling over when smaller.
    const offset = header & offsetMask;
    let timestamp = (lastTimestamp & ~offsetMask) + offset;
    if (offset < (lastTimestamp & offsetMask)) timestamp += offsetMask + 1;
    lastTimestamp = timestamp >>> 0;
    if (loaded !== definition) {
      const d = definition.bytes;
      const hasDev = (d[0]! & 0x20) !== 0;
      out.push(0x40 | (hasDev ? 0x20 : 0) | spare, d[1]!, d[2]!, d[3]!, d[4]!, definition.fieldCount + 1);
      for (let i = 6; i < 6 + definition.fieldCount * 3; i++) out.push(d[i]!);
      out.push(timestampField, 4, 0x86); // uint32
      for (let i = 6 + definition.fieldCount * 3; i < d.length; i++) out.push(d[i]!);
      loaded = definition;
    }
    out.push(spare);
    for (let i = at + 1; i < at + 1 + definition.fieldsSize; i++) out.push(bytes[i]!);
    const stamp = new DataView(new ArrayBuffer(4));
    stamp.setUint32(0, lastTimestamp, definition.littleEndian);
    for (let i = 0; i < 4; i++) out.push(stamp.getUint8(i));
    for (let i = at + 1 + definition.fieldsSize; i < at + size; i++) out.push(bytes[i]!);
  });
  const result = new Uint8Array(out.length + 2);
  result.set(out);
  const view = new DataView(result.buffer);
  view.setUint32(4, out.length - headerSize, true);
  if (headerSize === 14) view.setUint16(12, fitCrc(result, 0, 12), true);
  view.setUint16(out.length, fitCrc(result, 0, out.length), true);
  return result;
}
