/** One row of a Strava export's activities.csv, as far as the import needs it. */
export interface ExportActivity {
  id: string | null;
  name: string | null;
  /** Strava sport type, as the API spells it. */
  sport: string | null;
  /** As in the CSV: `activities/123.fit.gz`; null for activities without a file (manual entries). */
  fileName: string | null;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
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
  const id = column('activity id');
  const name = column('activity name');
  const type = column('activity type');
  const file = column('filename');
  const value = (row: string[], index: number) => {
    const v = index >= 0 ? row[index]?.trim() : undefined;
    return v ? v : null;
  };
  return rows.map((row) => ({
    id: value(row, id)?.match(/^\d+$/)?.[0] ?? null,
    name: value(row, name),
    // "Virtual Ride" → VirtualRide, "E-Bike Ride" → EBikeRide: Strava's sport_type spelling.
    sport: value(row, type)?.replace(/[^A-Za-z]/g, '') || null,
    fileName: value(row, file),
  }));
}
