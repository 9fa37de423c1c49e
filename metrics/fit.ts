import { Decoder, Stream } from '@garmin/fitsdk';
import type { RawStreams } from './streams.ts';

export interface FitActivity {
  streams: RawStreams;
  /** Strava-style sport name from the session (or sport) message, null when the file has none. */
  sport: string | null;
  startTime: Date | null;
  /** What the device itself computed, for cross-checks. */
  device: { normalizedPower: number | null; tss: number | null; intensityFactor: number | null };
  /** What could not be read; the rest was kept. */
  warnings: string[];
}

export class FitError extends Error {
  override name = 'FitError';
}

const semicirclesToDegrees = 180 / 2 ** 31;

/** FIT sport (and sub-sport) to the Strava sport type the rest of the product speaks. */
export function fitSportToStrava(sport: string | undefined, subSport: string | undefined): string | null {
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
    generic: 'Workout',
    multisport: 'Workout',
  };
  return map[sport] ?? sport.charAt(0).toUpperCase() + sport.slice(1);
}

/**
 * Decodes a FIT file into the stream shape the engine reads (seconds from the first record, speed,
 * distance, altitude, heart rate, power, cadence, temperature, position). A partly corrupt file keeps
 * every record decoded before the damage, with a warning saying what was lost.
 */
export function fitToStreams(input: Uint8Array): FitActivity {
  const warnings: string[] = [];
  let bytes = input;
  try {
    bytes = expandCompressedTimestamps(input) ?? input;
  } catch (error) {
    warnings.push(
      `could not expand compressed timestamps: ${error instanceof Error ? error.message : error}`,
    );
  }
  // A view of the bytes as they are: an Array copy of a 1 MB file costs more than decoding it.
  const stream = Stream.fromBuffer(bytes);
  if (!Decoder.isFIT(stream)) throw new FitError('not a FIT file (no FIT header)');
  const decoder = new Decoder(stream);
  if (!decoder.checkIntegrity())
    warnings.push('the file failed its integrity check (size or CRC); reading what decodes');
  const { messages, errors } = decoder.read({
    convertDateTimesToDates: true,
    expandComponents: true,
    mergeHeartRates: true,
  });
  for (const error of errors)
    warnings.push(`decoding stopped early: ${error instanceof Error ? error.message : String(error)}`);
  const records = (messages.recordMesgs ?? []) as Record<string, unknown>[];
  const session = ((messages.sessionMesgs ?? []) as Record<string, unknown>[])[0];
  const sportMesg = ((messages.sportMesgs ?? []) as Record<string, unknown>[])[0];
  const timed = records.filter((r) => r.timestamp instanceof Date);
  if (timed.length < records.length)
    warnings.push(`${records.length - timed.length} records without a timestamp were skipped`);
  if (timed.length === 0 && records.length === 0 && errors.length > 0)
    warnings.push('no records could be read');
  const start = timed[0]?.timestamp as Date | undefined;
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const time: number[] = [];
  const watts: (number | null)[] = [];
  const heartrate: (number | null)[] = [];
  const cadence: (number | null)[] = [];
  const speed: (number | null)[] = [];
  const distance: (number | null)[] = [];
  const altitude: (number | null)[] = [];
  const temp: (number | null)[] = [];
  const latlng: ([number, number] | null)[] = [];
  for (const r of timed) {
    time.push(((r.timestamp as Date).getTime() - start!.getTime()) / 1000);
    watts.push(num(r.power));
    heartrate.push(num(r.heartRate));
    cadence.push(num(r.cadence));
    speed.push(num(r.enhancedSpeed) ?? num(r.speed));
    distance.push(num(r.distance));
    altitude.push(num(r.enhancedAltitude) ?? num(r.altitude));
    temp.push(num(r.temperature));
    const lat = num(r.positionLat);
    const lng = num(r.positionLong);
    latlng.push(
      lat !== null && lng !== null ? [lat * semicirclesToDegrees, lng * semicirclesToDegrees] : null,
    );
  }
  const any = (values: unknown[]) => values.some((v) => v !== null);
  const channels: RawStreams['channels'] = {};
  if (any(watts)) channels.watts = watts;
  if (any(heartrate)) channels.heartrate = heartrate;
  if (any(cadence)) channels.cadence = cadence;
  if (any(speed)) channels.velocity_smooth = speed;
  if (any(distance)) channels.distance = distance;
  if (any(altitude)) channels.altitude = altitude;
  if (any(temp)) channels.temp = temp;
  const sessionSport = (session?.sport ?? sportMesg?.sport) as string | undefined;
  const subSport = (session?.subSport ?? sportMesg?.subSport) as string | undefined;
  let sport = fitSportToStrava(sessionSport, subSport);
  if (!sport && channels.watts) sport = 'Ride';
  return {
    streams: { time, channels, ...(any(latlng) ? { latlng } : {}) },
    sport,
    startTime: start ?? (session?.startTime as Date | undefined) ?? null,
    device: {
      normalizedPower: num(session?.normalizedPower) || null,
      tss: num(session?.trainingStressScore) || null,
      intensityFactor: num(session?.intensityFactor) || null,
    },
    warnings,
  };
}

const timestampField = 253;
const offsetMask = 0x1f;

/** FIT's CRC-16 (the nibble-table form of the FIT protocol document). */
function fitCrc(bytes: ArrayLike<number>, from: number, to: number): number {
  const table = [
    0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401, 0xa001, 0x6c00, 0x7800, 0xb401, 0x5000,
    0x9c01, 0x8801, 0x4400,
  ];
  let crc = 0;
  for (let i = from; i < to; i++) {
    const byte = bytes[i]!;
    let tmp = table[crc & 0xf]!;
    crc = ((crc >> 4) & 0x0fff) ^ tmp ^ table[byte & 0xf]!;
    tmp = table[crc & 0xf]!;
    crc = ((crc >> 4) & 0x0fff) ^ tmp ^ table[(byte >> 4) & 0xf]!;
  }
  return crc;
}

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
