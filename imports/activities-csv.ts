import type { ExportActivity } from '../activities/store-csv-activity.ts';

export type { ExportActivity };

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Strava's Activity Date, in UTC: "Mar 3, 2024, 6:12:34 PM" (current exports) or "2024-03-03 18:12:34".
 * Null for anything else (exports of accounts in other languages spell months their way).
 */
export function parseExportDate(text: string | null): Date | null {
  if (!text) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:Z|[+-]00:?00)?$/.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, sec] = iso.map(Number) as number[];
    return validDate(y!, mo! - 1, d!, h!, mi!, sec!);
  }
  const us = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])?$/.exec(
    text,
  );
  if (!us) return null;
  const month = months.indexOf(us[1]!.toLowerCase());
  let hour = Number(us[4]);
  const half = us[7]?.toLowerCase();
  if (half && (hour < 1 || hour > 12)) return null;
  if (half === 'am' && hour === 12) hour = 0;
  if (half === 'pm' && hour !== 12) hour += 12;
  return month < 0
    ? null
    : validDate(Number(us[3]), month, Number(us[2]), hour, Number(us[5]), Number(us[6]));
}

function validDate(y: number, month: number, d: number, h: number, mi: number, s: number): Date | null {
  const date = new Date(Date.UTC(y, month, d, h, mi, s));
  // Date.UTC rolls Feb 30 over into March: such a date was not a date.
  return date.getUTCMonth() === month && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : null;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((value) => value !== ''));
}

/**
 * Reads activities.csv. Strava's header repeats some names (two "Elapsed Time", two "Distance"); the
 * first of each is taken. Column order differs between export versions, so columns are found by name.
 */
export function parseActivitiesCsv(text: string): ExportActivity[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) return [];
  const column = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
  const lastColumn = (name: string) => header.findLastIndex((h) => h.trim().toLowerCase() === name);
  const id = column('activity id');
  const date = column('activity date');
  const elapsed = column('elapsed time');
  const moving = column('moving time');
  // Only when the header repeats "Distance" is one of them known to be in metres (the last).
  const distance = lastColumn('distance') !== column('distance') ? lastColumn('distance') : -1;
  const name = column('activity name');
  const type = column('activity type');
  const file = column('filename');
  const value = (row: string[], index: number) => {
    // Postgres text cannot hold NUL: it is dropped rather than failing the activity.
    const v = index >= 0 ? row[index]?.replaceAll('\u0000', '').trim() : undefined;
    return v ? v : null;
  };
  return rows.map((row) => ({
    // A Strava id is a positive bigint; anything else is no id (and cannot break the insert).
    id: value(row, id)?.match(/^[1-9]\d{0,17}$/)?.[0] ?? null,
    name: value(row, name),
    // "Virtual Ride" → VirtualRide, "E-Bike Ride" → EBikeRide: Strava's sport_type spelling.
    sport: value(row, type)?.replace(/[^A-Za-z]/g, '') || null,
    fileName: value(row, file),
    startTime: parseExportDate(value(row, date)),
    elapsedS: seconds(value(row, elapsed)),
    movingS: seconds(value(row, moving)),
    distanceM: nonNegative(value(row, distance)),
  }));
}

function nonNegative(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Whole seconds within Postgres integer range (a day-long workout is 86,400). */
function seconds(text: string | null): number | null {
  const n = nonNegative(text);
  return n === null || n > 2_000_000_000 ? null : Math.round(n);
}
