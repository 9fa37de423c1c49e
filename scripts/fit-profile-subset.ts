// `tsx scripts/fit-profile-subset.ts`: writes metrics/fit-profile.ts, the few FIT messages and fields
// fit.ts reads, taken from @garmin/fitsdk's Profile. The direct reader (metrics/fit-records.ts) decodes
// an ordinary activity from that table without loading the SDK (its 1 MB profile alone took ~60 ms of
// `cli analyze`, issue 16). metrics/fit-profile.test.ts checks the committed table against the SDK's.
import { writeFileSync } from 'node:fs';
import { Profile } from '@garmin/fitsdk';
import type { FitProfileField, FitProfileMessage } from '../metrics/fit-profile.ts';

/** The messages fit.ts reads (global message number) and, of each, the fields it reads (profile names). */
const wanted: Record<number, string[]> = {
  0: ['type'],
  12: ['sport', 'subSport'],
  18: [
    'startTime',
    'sport',
    'subSport',
    'totalElapsedTime',
    'totalTimerTime',
    'totalDistance',
    'poolLength',
    'normalizedPower',
    'avgPower',
    'trainingStressScore',
    'intensityFactor',
    'thresholdPower',
    'avgHeartRate',
    'maxHeartRate',
    'enhancedAvgSpeed',
    'avgSpeed',
  ],
  20: [
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
  ],
  21: ['event', 'eventType', 'timestamp'],
  101: ['startTime', 'totalTimerTime', 'totalElapsedTime', 'lengthType'],
};

/** The base types a read field may have: FIT base type number (masked with 0x1F), size, invalid value. */
const baseTypes: Record<string, { type: number; size: number; invalid: number }> = {
  enum: { type: 0, size: 1, invalid: 0xff },
  sint8: { type: 1, size: 1, invalid: 0x7f },
  uint8: { type: 2, size: 1, invalid: 0xff },
  sint16: { type: 3, size: 2, invalid: 0x7fff },
  uint16: { type: 4, size: 2, invalid: 0xffff },
  sint32: { type: 5, size: 4, invalid: 0x7fffffff },
  uint32: { type: 6, size: 4, invalid: 0xffffffff },
};

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

/** The subset of the SDK's profile the direct reader needs; throws where the profile is not what it reads. */
export function profileSubset(): {
  messages: Record<number, FitProfileMessage>;
  types: Record<string, Record<number, string>>;
} {
  const profileMessages = Profile.messages as unknown as Record<
    number,
    { messagesKey: string; fields: Record<number, ProfileField> }
  >;
  const profileTypes = Profile.types as unknown as Record<string, Record<number, string>>;
  const messages: Record<number, FitProfileMessage> = {};
  const types: Record<string, Record<number, string>> = {};
  for (const [mesgNum, names] of Object.entries(wanted)) {
    const profile = profileMessages[Number(mesgNum)]!;
    const byName = new Map(Object.values(profile.fields).map((field) => [field.name, field]));
    const usedNums = new Set(names.map((name) => byName.get(name)!.num));
    const fields: FitProfileField[] = [];
    const conflicting: number[] = [];
    for (const field of Object.values(profile.fields)) {
      const targets = [
        ...field.components,
        ...(field.subFields ?? []).flatMap((sub) => sub.components ?? []),
      ].map(Number);
      if (!usedNums.has(field.num)) {
        // A field whose components write a read field: a message with it goes to the SDK.
        if (targets.some((target) => usedNums.has(target))) conflicting.push(field.num);
        continue;
      }
      const base = baseTypes[field.baseType];
      const kind =
        field.type === 'dateTime'
          ? 'date'
          : field.type === field.baseType && field.baseType !== 'enum'
            ? 'number'
            : field.baseType === 'enum' && profileTypes[field.type]
              ? 'enum'
              : null;
      const scale = single(field.scale);
      const offset = single(field.offset);
      if (!base || !kind || field.array || scale === null || offset === null)
        throw new Error(`${profile.messagesKey}.${field.name}: not a field the direct reader reads`);
      let expand: FitProfileField['expand'] = null;
      if (targets.length > 0) {
        // Only a whole-field component into a read field of its own (speed → enhancedSpeed).
        const target = profile.fields[targets[0]!];
        const targetBase = target && baseTypes[target.baseType];
        const targetScale = target && single(target.scale);
        const targetOffset = target && single(target.offset);
        if (
          targets.length !== 1 ||
          field.bits[0] !== base.size * 8 ||
          !target ||
          !usedNums.has(target.num) ||
          !targetBase ||
          targetScale == null ||
          targetOffset == null ||
          target.components.length > 0
        )
          throw new Error(
            `${profile.messagesKey}.${field.name}: components the direct reader does not expand`,
          );
        expand = {
          target: target.name,
          scale,
          offset,
          targetScale,
          targetOffset,
          targetInvalid: targetBase.invalid,
        };
      }
      if (kind === 'enum') types[field.type] = { ...profileTypes[field.type]! };
      fields.push({
        num: field.num,
        name: field.name,
        baseType: base.type,
        size: base.size,
        invalid: base.invalid,
        kind,
        scale,
        offset,
        ...(kind === 'enum' ? { enumType: field.type } : {}),
        expand,
      });
    }
    messages[Number(mesgNum)] = { key: profile.messagesKey, fields, conflicting };
  }
  return { messages, types };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { messages, types } = profileSubset();
  const out = new URL('../metrics/fit-profile.ts', import.meta.url);
  writeFileSync(
    out,
    `// Generated by scripts/fit-profile-subset.ts from @garmin/fitsdk's Profile (${Profile.version.major}.${Profile.version.minor}): do not edit.
// The FIT messages and fields fit.ts reads, for fit-records.ts's direct reader; scripts/fit-profile-subset.test.ts
// checks it against the SDK's Profile.

export interface FitProfileField {
  num: number;
  name: string;
  /** FIT base type number (masked with 0x1F): 0 enum, 1–6 the signed and unsigned 8/16/32-bit integers. */
  baseType: number;
  size: number;
  invalid: number;
  /** number: raw / scale - offset; date: seconds since the FIT epoch, to a Date; enum: its name in fitTypes. */
  kind: 'number' | 'date' | 'enum';
  scale: number;
  offset: number;
  enumType?: string;
  /** A field whose single component writes another read field (speed → enhancedSpeed). */
  expand: {
    target: string;
    scale: number;
    offset: number;
    targetScale: number;
    targetOffset: number;
    targetInvalid: number;
  } | null;
}

export interface FitProfileMessage {
  /** The SDK's key for these messages (recordMesgs...). */
  key: string;
  fields: FitProfileField[];
  /** Fields whose components write a read field (the SDK would rewrite it): such a message goes to the SDK. */
  conflicting: number[];
}

export const fitMessages: Record<number, FitProfileMessage> = ${JSON.stringify(messages, null, 2)};

export const fitTypes: Record<string, Record<number, string>> = ${JSON.stringify(types, null, 2)};
`,
  );
}
