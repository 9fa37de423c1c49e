import { Profile, Utils } from '@garmin/fitsdk';

/**
 * A fast path for the one message that fills a FIT activity: `record`. @garmin/fitsdk builds several
 * objects per field of every message, which made its decode most of `cli analyze`'s time on a long file
 * (24,000 records in 1 MB: 0.15–0.35 s). `splitRecords` reads the record fields the analysis uses
 * straight from the bytes, computing each value as the SDK does (its profile's scale and offset, its
 * invalid values, speed and altitude expanded to their `enhanced` fields), and hands back the file
 * without its record data messages for the SDK to decode (sessions, events, lengths...: a few hundred
 * bytes). Whatever it does not reproduce exactly sends the whole file back to the SDK (returns null):
 * a damaged or chained file, a bad CRC, heart rates in `hr` messages (the SDK merges them into the
 * records), fields whose components write the fields we read (compressed speed/distance), unusual field
 * sizes or types. fit-records.test.ts compares both paths on every fixture.
 */
export interface SplitRecords {
  /** The record messages in file order, with the SDK's field names and values (only the fields we use). */
  records: Record<string, unknown>[];
  /** The same FIT file without its record data messages (definitions kept), size and CRCs fixed. */
  rest: Uint8Array;
}

const recordMesgNum = 20;
const hrMesgNum = 132;
const fieldDescriptionMesgNum = 206;
/** FIT base types (masked with 0x1F) are 0..16 (the SDK's BaseTypeDefinitions). */
const baseTypeCount = 17;
const baseTypeSizes = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];
/** The integer base types a used field may have: number, size, invalid value. */
const intTypes: Record<string, { type: number; size: number; invalid: number }> = {
  sint8: { type: 1, size: 1, invalid: 0x7f },
  uint8: { type: 2, size: 1, invalid: 0xff },
  sint16: { type: 3, size: 2, invalid: 0x7fff },
  uint16: { type: 4, size: 2, invalid: 0xffff },
  sint32: { type: 5, size: 4, invalid: 0x7fffffff },
  uint32: { type: 6, size: 4, invalid: 0xffffffff },
};

/** The record fields fit.ts reads (FIT profile names). */
const usedNames = [
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
  'enhancedSpeed',
  'enhancedAltitude',
];

interface UsedField {
  name: string;
  type: number;
  size: number;
  invalid: number;
  /** null: a date_time (seconds since the FIT epoch, to a Date). */
  scale: number | null;
  offset: number;
  /** A field whose single component writes another used field (speed → enhancedSpeed). */
  expand: {
    target: string;
    scale: number;
    offset: number;
    targetScale: number;
    targetOffset: number;
    targetInvalid: number;
  } | null;
}

interface ProfileField {
  num: number;
  name: string;
  type: string;
  baseType: string;
  array: boolean;
  scale: number | number[];
  offset: number | number[];
  components: (string | number)[];
  bits: number[];
  subFields?: { components?: (string | number)[] }[];
}

const single = (value: number | number[]) =>
  Array.isArray(value) ? (value.length === 1 ? value[0]! : null) : value;

/**
 * The used fields by field number, and the numbers of fields that must send a file to the SDK (their
 * components write a used field). Null when the SDK's profile is not what this reader expects.
 */
function plan(): { used: Map<number, UsedField>; conflicting: Set<number> } | null {
  const fields = (Profile.messages as unknown as Record<number, { fields: Record<number, ProfileField> }>)[
    recordMesgNum
  ]?.fields;
  if (!fields) return null;
  const byName = new Map(Object.values(fields).map((field) => [field.name, field]));
  const usedNums = new Set<number>();
  for (const name of usedNames) {
    const field = byName.get(name);
    if (!field) return null;
    usedNums.add(field.num);
  }
  const used = new Map<number, UsedField>();
  const conflicting = new Set<number>();
  for (const field of Object.values(fields)) {
    const targets = [
      ...field.components,
      ...(field.subFields ?? []).flatMap((sub) => sub.components ?? []),
    ].map(Number);
    if (!usedNums.has(field.num)) {
      if (targets.some((target) => usedNums.has(target))) conflicting.add(field.num);
      continue;
    }
    const base = intTypes[field.baseType];
    const isDate = field.type === 'dateTime';
    if (!base || field.array || (field.type !== field.baseType && !isDate)) return null;
    const scale = single(field.scale);
    const offset = single(field.offset);
    if (scale === null || offset === null) return null;
    let expand: UsedField['expand'] = null;
    if (targets.length > 0) {
      // Only a whole-field component into a used field of its own (speed → enhancedSpeed) is read here.
      const target = fields[targets[0]!];
      if (targets.length !== 1 || field.bits[0] !== base.size * 8 || !target || !usedNums.has(target.num))
        return null;
      const targetScale = single(target.scale);
      const targetOffset = single(target.offset);
      const targetBase = intTypes[target.baseType];
      if (targetScale === null || targetOffset === null || !targetBase || target.components.length > 0)
        return null;
      expand = {
        target: target.name,
        scale,
        offset,
        targetScale,
        targetOffset,
        targetInvalid: targetBase.invalid,
      };
    }
    used.set(field.num, {
      name: field.name,
      type: base.type,
      size: base.size,
      invalid: base.invalid,
      scale: isDate ? null : scale,
      offset,
      expand,
    });
  }
  return { used, conflicting };
}

let cachedPlan: ReturnType<typeof plan> | undefined;

/** Every record has the same shape (fields it lacks are undefined, as when absent): fast to build and read. */
const emptyRecord = (): Record<string, unknown> => ({
  timestamp: undefined,
  positionLat: undefined,
  positionLong: undefined,
  altitude: undefined,
  heartRate: undefined,
  cadence: undefined,
  distance: undefined,
  speed: undefined,
  power: undefined,
  temperature: undefined,
  enhancedSpeed: undefined,
  enhancedAltitude: undefined,
});

interface Definition {
  globalNum: number;
  littleEndian: boolean;
  size: number;
  /** Used record fields: where they sit in the message, in definition order but expanding fields last. */
  reads: { at: number; field: UsedField }[];
  /** A record message the SDK would read differently from this reader. */
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
  cachedPlan ??= plan();
  if (!cachedPlan) return null;
  const { used, conflicting } = cachedPlan;
  const headerSize = bytes[0] ?? 0;
  if ((headerSize !== 12 && headerSize !== 14) || bytes.length < headerSize + 2) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataEnd = headerSize + view.getUint32(4, true);
  // One FIT file, nothing after it, its CRC right (else the SDK reports what it finds).
  if (dataEnd + 2 !== bytes.length) return null;
  if (view.getUint16(dataEnd, true) !== fitCrc(bytes, 0, dataEnd)) return null;

  const definitions: (Definition | undefined)[] = [];
  const records: Record<string, unknown>[] = [];
  const kept: [number, number][] = []; // byte ranges of the rest
  let keptFrom = headerSize;
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
      const definition: Definition = {
        globalNum,
        littleEndian,
        size: 0,
        reads: [],
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
        if (globalNum === recordMesgNum) {
          const field = used.get(num);
          if (seen.has(num) || conflicting.has(num)) definition.unsupported = true;
          else if (field) {
            if (type !== field.type || size !== field.size) definition.unsupported = true;
            else definition.reads.push({ at: definition.size, field });
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
    if (definition.globalNum === hrMesgNum) return null;
    if (definition.globalNum === fieldDescriptionMesgNum && definition.baseTypeIdAt) {
      // The SDK types a developer field by this byte; one it cannot type stops its decode of any
      // record carrying such a field, so such files go to the SDK.
      const { at: offset, size } = definition.baseTypeIdAt;
      const id = size === 1 ? bytes[data + offset]! : -1;
      if (id === -1 || (id !== 0xff && (id & 0x1f) >= baseTypeCount)) oddFieldDescription = true;
    }
    if (definition.globalNum !== recordMesgNum) {
      at = data + definition.size;
      continue;
    }
    if (definition.unsupported) return null;
    if (definition.hasDevFields) recordsWithDevFields = true;
    const record = emptyRecord();
    const reads = definition.reads;
    for (let r = 0; r < reads.length; r++) {
      const field = reads[r]!.field;
      const raw = readInt(view, data + reads[r]!.at, field.type, definition.littleEndian);
      if (raw === field.invalid) continue;
      if (field.scale === null) {
        record[field.name] = Utils.convertDateTimeToDate(raw);
        continue;
      }
      record[field.name] = raw / field.scale - field.offset;
      const expand = field.expand;
      if (expand) {
        // The SDK's component expansion (after every field is read, so it replaces a target read directly):
        // undo the component's scale and offset; the target keeps the value, or null when it is invalid.
        const value = raw / expand.scale - expand.offset;
        const rawValue = (value + expand.targetOffset) * expand.targetScale;
        record[expand.target] = rawValue === expand.targetInvalid ? null : value;
      }
    }
    records.push(record);
    if (at > keptFrom) kept.push([keptFrom, at]);
    at = data + definition.size;
    keptFrom = at;
  }
  if (recordsWithDevFields && oddFieldDescription) return null;
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
  return { records, rest };
}
