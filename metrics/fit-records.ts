import { type FitProfileField, fitMessages, fitTypes } from './fit-profile.ts';

/**
 * A fast path for the one message that fills a FIT activity: `record`. @garmin/fitsdk builds several
 * objects per field of every message, which made its decode most of `cli analyze`'s time on a long file
 * (24,000 records in 1 MB: 0.15–0.35 s). `splitRecords` reads the record fields the analysis uses
 * straight from the bytes, computing each value as the SDK does (its profile's scale and offset, its
 * invalid values, speed and altitude expanded to their `enhanced` fields), and hands back the file
 * without its record data messages for the SDK to decode (sessions, events, lengths...: a few hundred
 * bytes). It reads those few other messages too (file_id, sport, session, event, length: the fields
 * fit.ts uses, from fit-profile.ts, a table generated from the SDK's profile), so that an ordinary file
 * needs no SDK at all. Whatever it does not reproduce exactly sends the whole file back to the SDK (returns null):
 * a damaged or chained file, a bad CRC, heart rates in `hr` messages (the SDK merges them into the
 * records), fields whose components write the fields we read (compressed speed/distance), unusual field
 * sizes or types. fit-records.test.ts compares both paths on every fixture.
 */
export interface SplitRecords {
  /** The record messages in file order, as columns. */
  records: RecordColumns;
  /** The same FIT file without its record data messages (definitions kept), size and CRCs fixed. */
  rest: Uint8Array;
  /**
   * Every message fit.ts reads (file_id, sport, session, event, length, record), keyed as the SDK keys
   * them, when the file holds nothing that would make the SDK read them otherwise (developer data, memo
   * globs, odd field sizes...): then the SDK need not load at all. Null: the SDK decodes `rest`.
   * Without `recordMesgs`: the records are `records`.
   */
  messages: Record<string, Record<string, unknown>[]> | null;
}

/**
 * Record messages as one column per value fit.ts reads, NaN where the SDK's record has no finite number
 * (24,000 record objects, each with a Date, were most of the garbage collector's work): `time` in ms
 * since 1970; `speed` the record's enhancedSpeed, else its speed; `altitude` likewise.
 */
export interface RecordColumns {
  n: number;
  time: Float64Array;
  power: Float64Array;
  heartRate: Float64Array;
  cadence: Float64Array;
  speed: Float64Array;
  distance: Float64Array;
  altitude: Float64Array;
  temperature: Float64Array;
  /** Semicircles. */
  lat: Float64Array;
  lng: Float64Array;
}

const columnNames = [
  'time',
  'power',
  'heartRate',
  'cadence',
  'speed',
  'distance',
  'altitude',
  'temperature',
  'lat',
  'lng',
] as const;

export function emptyColumns(capacity: number): RecordColumns {
  const columns = { n: 0 } as RecordColumns;
  for (const name of columnNames) columns[name] = new Float64Array(capacity);
  return columns;
}

function grow(columns: RecordColumns): void {
  for (const name of columnNames) {
    const bigger = new Float64Array(columns[name].length * 2);
    bigger.set(columns[name]);
    columns[name] = bigger;
  }
}

/** The columns' values from the record's (the SDK's names and values): what fit.ts reads of each. */
export function pushRecord(
  columns: RecordColumns,
  time: number,
  power: unknown,
  heartRate: unknown,
  cadence: unknown,
  speed: unknown,
  enhancedSpeed: unknown,
  distance: unknown,
  altitude: unknown,
  enhancedAltitude: unknown,
  temperature: unknown,
  lat: unknown,
  lng: unknown,
): void {
  if (columns.n === columns.time.length) grow(columns);
  const i = columns.n++;
  columns.time[i] = time;
  columns.power[i] = finite(power);
  columns.heartRate[i] = finite(heartRate);
  columns.cadence[i] = finite(cadence);
  const enhanced = finite(enhancedSpeed);
  columns.speed[i] = Number.isNaN(enhanced) ? finite(speed) : enhanced;
  columns.distance[i] = finite(distance);
  const enhancedAlt = finite(enhancedAltitude);
  columns.altitude[i] = Number.isNaN(enhancedAlt) ? finite(altitude) : enhancedAlt;
  columns.temperature[i] = finite(temperature);
  columns.lat[i] = finite(lat);
  columns.lng[i] = finite(lng);
}

const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN);

const recordMesgNum = 20;
const hrMesgNum = 132;
const memoGlobMesgNum = 145;
const fieldDescriptionMesgNum = 206;
const developerDataIdMesgNum = 207;
/** FIT base types (masked with 0x1F) are 0..16 (the SDK's BaseTypeDefinitions). */
const baseTypeCount = 17;
const baseTypeSizes = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];
const fitEpochMs = 631065600000;

/** Per message number: its fields read, by field number, and the fields that send it to the SDK. */
const plan = new Map(
  Object.entries(fitMessages).map(([mesgNum, message]) => [
    Number(mesgNum),
    {
      key: message.key,
      used: new Map(message.fields.map((field) => [field.num, field])),
      conflicting: new Set(message.conflicting),
    },
  ]),
);

/** The record fields' slots while a record is read (the profile subset's order), and the slot of each name. */
const recordFields = fitMessages[recordMesgNum]!.fields;
const slotOf = new Map(recordFields.map((field, slot) => [field.name, slot]));
const slot = (name: string) => slotOf.get(name)!;
const [tsSlot, latSlot, lngSlot, altSlot, hrSlot, cadSlot, distSlot, speedSlot, powerSlot, tempSlot] = [
  'timestamp',
  'positionLat',
  'positionLong',
  'altitude',
  'heartRate',
  'cadence',
  'distance',
  'speed',
  'power',
  'temperature',
].map(slot) as number[] as [number, number, number, number, number, number, number, number, number, number];
const enhancedSpeedSlot = slot('enhancedSpeed');
const enhancedAltSlot = slot('enhancedAltitude');

interface Definition {
  globalNum: number;
  littleEndian: boolean;
  size: number;
  /** The message's read fields (the profile subset's): where they sit, expanding fields last. */
  reads: { at: number; field: FitProfileField; slot: number; targetSlot: number }[];
  /** The SDK's key for the message, when it is one fit.ts reads. */
  key: string | null;
  /** A read message the SDK would read differently from this reader. */
  unsupported: boolean;
  hasDevFields: boolean;
  /** Offset and size of a field_description's fit_base_type_id (field 2), if defined. */
  baseTypeIdAt: { at: number; size: number } | null;
}

/** FIT's CRC-16 (the nibble-table form of the FIT protocol document). */
function crcByte(crc: number, byte: number): number {
  const table = [
    0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401, 0xa001, 0x6c00, 0x7800, 0xb401, 0x5000,
    0x9c01, 0x8801, 0x4400,
  ];
  let tmp = table[crc & 0xf]!;
  crc = ((crc >> 4) & 0x0fff) ^ tmp ^ table[byte & 0xf]!;
  tmp = table[crc & 0xf]!;
  return ((crc >> 4) & 0x0fff) ^ tmp ^ table[(byte >> 4) & 0xf]!;
}

/** The same CRC a byte at a time (one lookup instead of four): a 1 MB file is checked in a few ms. */
const crcTable = Uint16Array.from({ length: 256 }, (_, byte) => crcByte(0, byte));

export function fitCrc(bytes: ArrayLike<number>, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ crcTable[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

function readInt(view: DataView, at: number, type: number, littleEndian: boolean): number {
  switch (type) {
    case 0:
      return view.getUint8(at);
    case 1:
      return view.getInt8(at);
    case 2:
      return view.getUint8(at);
    case 3:
      return view.getInt16(at, littleEndian);
    case 4:
      return view.getUint16(at, littleEndian);
    case 5:
      return view.getInt32(at, littleEndian);
    default:
      return view.getUint32(at, littleEndian);
  }
}

export function splitRecords(bytes: Uint8Array): SplitRecords | null {
  const headerSize = bytes[0] ?? 0;
  if ((headerSize !== 12 && headerSize !== 14) || bytes.length < headerSize + 2) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataEnd = headerSize + view.getUint32(4, true);
  // One FIT file, nothing after it, its CRC right (else the SDK reports what it finds).
  if (dataEnd + 2 !== bytes.length) return null;
  if (bytes[8] !== 0x2e || bytes[9] !== 0x46 || bytes[10] !== 0x49 || bytes[11] !== 0x54) return null; // ".FIT"
  if (view.getUint16(dataEnd, true) !== fitCrc(bytes, 0, dataEnd)) return null;

  const definitions: (Definition | undefined)[] = [];
  // ~30 bytes a record at least: room for all of them in most files without growing.
  const records = emptyColumns(Math.max(16, Math.ceil(bytes.length / 40)));
  const slots = new Float64Array(recordFields.length);
  const others: Record<string, Record<string, unknown>[]> = {};
  for (const [mesgNum, { key }] of plan) if (mesgNum !== recordMesgNum) others[key] = [];
  // Whether every message fit.ts reads came out as the SDK would give it (else the SDK decodes the rest).
  let direct = true;
  const kept: [number, number][] = []; // byte ranges of the rest
  let keptFrom = headerSize;
  let devFields = false;
  let recordsWithDevFields = false;
  let oddFieldDescription = false;
  let at = headerSize;
  while (at < dataEnd) {
    const header = bytes[at]!;
    if (header & 0x80) return null; // compressed timestamp: fit.ts expands them first
    if (header & 0x40) {
      if (at + 6 > dataEnd) return null;
      const littleEndian = bytes[at + 2] === 0;
      const globalNum = view.getUint16(at + 3, littleEndian);
      const fieldCount = bytes[at + 5]!;
      let end = at + 6 + fieldCount * 3;
      if (end > dataEnd) return null;
      const read = plan.get(globalNum);
      const definition: Definition = {
        globalNum,
        littleEndian,
        size: 0,
        reads: [],
        key: read?.key ?? null,
        unsupported: false,
        hasDevFields: false,
        baseTypeIdAt: null,
      };
      const seen = new Set<number>();
      for (let f = 0; f < fieldCount; f++) {
        const num = bytes[at + 6 + f * 3]!;
        const size = bytes[at + 7 + f * 3]!;
        const type = bytes[at + 8 + f * 3]! & 0x1f;
        if (type >= baseTypeCount) return null; // the SDK stops at an unknown base type
        // Field sizes the SDK might read otherwise than as whole values (it reads all of the rest).
        if (size === 0 || size % baseTypeSizes[type]! !== 0) direct = false;
        if (read) {
          const field = read.used.get(num);
          if (seen.has(num) || read.conflicting.has(num)) definition.unsupported = true;
          else if (field) {
            if (type !== field.baseType || size !== field.size) definition.unsupported = true;
            else
              definition.reads.push({
                at: definition.size,
                field,
                // Where a record's field goes while it is read (-1: not a record).
                slot: slotOf.get(field.name) ?? -1,
                targetSlot: field.expand ? (slotOf.get(field.expand.target) ?? -1) : -1,
              });
          }
          seen.add(num);
        } else if (globalNum === fieldDescriptionMesgNum && num === 2) {
          definition.baseTypeIdAt = { at: definition.size, size: size === baseTypeSizes[type] ? size : 0 };
        }
        definition.size += size;
      }
      if (header & 0x20) {
        if (end + 1 > dataEnd) return null;
        const devCount = bytes[end]!;
        if (end + 1 + devCount * 3 > dataEnd) return null;
        for (let f = 0; f < devCount; f++) definition.size += bytes[end + 2 + f * 3]!;
        definition.hasDevFields = devCount > 0;
        end += 1 + devCount * 3;
      }
      // Fields that expand into another come last, as the SDK expands after reading every field.
      definition.reads.sort((a, b) => Number(a.field.expand !== null) - Number(b.field.expand !== null));
      definitions[header & 0x0f] = definition;
      at = end;
      continue;
    }
    const definition = definitions[header & 0x0f];
    if (!definition || at + 1 + definition.size > dataEnd) return null;
    const data = at + 1;
    const globalNum = definition.globalNum;
    if (globalNum === hrMesgNum) return null;
    if (definition.hasDevFields) devFields = true;
    if (globalNum === fieldDescriptionMesgNum && definition.baseTypeIdAt) {
      // The SDK types a developer field by this byte; one it cannot type stops its decode of any
      // record carrying such a field, so such files go to the SDK.
      const { at: offset, size } = definition.baseTypeIdAt;
      const id = size === 1 ? bytes[data + offset]! : -1;
      if (id === -1 || (id !== 0xff && (id & 0x1f) >= baseTypeCount)) oddFieldDescription = true;
    }
    // Developer data and memo globs: the SDK's own bookkeeping decides what it reads (it decodes the rest).
    if (
      globalNum === fieldDescriptionMesgNum ||
      globalNum === developerDataIdMesgNum ||
      globalNum === memoGlobMesgNum
    )
      direct = false;
    if (globalNum !== recordMesgNum) {
      if (definition.key !== null) {
        if (definition.unsupported) direct = false;
        else others[definition.key]!.push(readMessage(view, data, definition, {}));
      }
      at = data + definition.size;
      continue;
    }
    if (definition.unsupported) return null;
    if (definition.hasDevFields) recordsWithDevFields = true;
    readRecord(view, data, definition, slots);
    // Straight into the columns (through pushRecord's `unknown` parameters each number would be boxed).
    if (records.n === records.time.length) grow(records);
    const i = records.n++;
    const time = slots[tsSlot]!;
    records.time[i] = Number.isNaN(time) ? time : time * 1000 + fitEpochMs;
    records.power[i] = slots[powerSlot]!;
    records.heartRate[i] = slots[hrSlot]!;
    records.cadence[i] = slots[cadSlot]!;
    const enhancedSpeed = slots[enhancedSpeedSlot]!;
    records.speed[i] = Number.isNaN(enhancedSpeed) ? slots[speedSlot]! : enhancedSpeed;
    records.distance[i] = slots[distSlot]!;
    const enhancedAltitude = slots[enhancedAltSlot]!;
    records.altitude[i] = Number.isNaN(enhancedAltitude) ? slots[altSlot]! : enhancedAltitude;
    records.temperature[i] = slots[tempSlot]!;
    records.lat[i] = slots[latSlot]!;
    records.lng[i] = slots[lngSlot]!;
    if (at > keptFrom) kept.push([keptFrom, at]);
    at = data + definition.size;
    keptFrom = at;
  }
  if (recordsWithDevFields && oddFieldDescription) return null;
  if (devFields && oddFieldDescription) direct = false;
  if (dataEnd > keptFrom) kept.push([keptFrom, dataEnd]);

  const restSize = kept.reduce((sum, [from, to]) => sum + to - from, 0);
  const rest = new Uint8Array(headerSize + restSize + 2);
  rest.set(bytes.subarray(0, headerSize));
  let to = headerSize;
  for (const [from, end] of kept) {
    rest.set(bytes.subarray(from, end), to);
    to += end - from;
  }
  const restView = new DataView(rest.buffer);
  restView.setUint32(4, restSize, true);
  if (headerSize === 14) restView.setUint16(12, fitCrc(rest, 0, 12), true);
  restView.setUint16(to, fitCrc(rest, 0, to), true);
  return { records, rest, messages: direct ? others : null };
}

/**
 * A record's read fields into their slots (NaN: absent, or null in the SDK's record): raw values for the
 * timestamp (seconds since the FIT epoch), else as the SDK computes them.
 */
function readRecord(view: DataView, data: number, definition: Definition, slots: Float64Array): void {
  slots.fill(Number.NaN);
  const reads = definition.reads;
  for (let r = 0; r < reads.length; r++) {
    const read = reads[r]!;
    const field = read.field;
    const raw = readInt(view, data + read.at, field.baseType, definition.littleEndian);
    if (raw === field.invalid) continue;
    const at = read.slot;
    if (field.kind === 'date') {
      slots[at] = raw;
      continue;
    }
    slots[at] = raw / field.scale - field.offset;
    const expand = field.expand;
    if (expand) {
      // As readMessage: the target takes the component's value, or NaN (the SDK's null) when invalid.
      const value = raw / expand.scale - expand.offset;
      const rawValue = (value + expand.targetOffset) * expand.targetScale;
      slots[read.targetSlot] = rawValue === expand.targetInvalid ? Number.NaN : value;
    }
  }
}

/** One message's read fields into `message`, each value as the SDK computes it. */
function readMessage(
  view: DataView,
  data: number,
  definition: Definition,
  message: Record<string, unknown>,
): Record<string, unknown> {
  const reads = definition.reads;
  for (let r = 0; r < reads.length; r++) {
    const field = reads[r]!.field;
    const raw = readInt(view, data + reads[r]!.at, field.baseType, definition.littleEndian);
    if (raw === field.invalid) continue;
    if (field.kind === 'date') {
      message[field.name] = new Date(raw * 1000 + fitEpochMs);
      continue;
    }
    if (field.kind === 'enum') {
      // The SDK's name for the value, or the number when its profile has none.
      message[field.name] = fitTypes[field.enumType!]![raw] ?? raw;
      continue;
    }
    message[field.name] = raw / field.scale - field.offset;
    const expand = field.expand;
    if (expand) {
      // The SDK's component expansion (after every field is read, so it replaces a target read directly):
      // undo the component's scale and offset; the target keeps the value, or null when it is invalid.
      const value = raw / expand.scale - expand.offset;
      const rawValue = (value + expand.targetOffset) * expand.targetScale;
      message[expand.target] = rawValue === expand.targetInvalid ? null : value;
    }
  }
  return message;
}
