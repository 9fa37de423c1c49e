import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { ZipFile } from 'yazl';
import type { Db } from '../db/connect.ts';
import { activityIdsWithStreams, streamsData } from '../db/queries/activity-streams.ts';
import {
  type AthleteTable,
  athleteTableRows,
  schemaColumns,
  schemaForeignKeys,
} from '../db/queries/athlete-export.ts';
import { toCsv } from './csv.ts';

/** Version of the archive's layout, in manifest.json. */
const exportFormat = 'threshold-export/1';

/**
 * Tables not exported as tables: the exports themselves, streams (one JSON file per activity instead) and
 * the chunks of an uploaded Strava export (its bytes, kept only until the import is done).
 */
const excludedTables = new Set(['data_exports', 'activity_streams', 'export_import_chunks']);
/** Columns never exported: credentials (encrypted tokens) and hashes of one-time secrets. */
const secretColumn = /(_enc|_hash|token|secret)$/i;
/** Row order per table: the first of these columns it has. */
const orderColumns = ['start_date', 'date', 'effective_date', 'created_at'];

export interface ExportContents {
  /** Every file in the archive with its record count (streams: one file per activity). */
  files: { name: string; records: number }[];
  /** Tables that were exported, for the manifest and the reply. */
  tables: string[];
}

/**
 * Writes everything stored about one athlete as a ZIP to `output`: every table that holds their rows
 * (found in the schema, so tables added later are included without a change here) as JSON and CSV, the
 * raw streams of each activity as JSON, a manifest and a README. Credentials are left out. Rows are
 * selected by the athlete's id only, so nothing of another athlete can enter. Streams are read one
 * activity at a time, so memory stays bounded whatever the history's size.
 */
export async function writeAthleteExport(
  db: Db,
  athleteId: string,
  output: Writable,
  now: Date,
): Promise<ExportContents> {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  zip.on('error', (error: Error) => out.destroy(error));
  const written = pipeline(out, output);
  const files: ExportContents['files'] = [];
  const addText = (name: string, text: string, records: number) => {
    zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: now });
    files.push({ name, records });
  };

  try {
    const tables = await athleteTables(db);
    const athlete = await rowsOf(db, { table: 'athletes', columns: tables.athletes }, 'id', athleteId);
    addText('athlete.json', json(athlete[0] ?? null), athlete.length);
    for (const spec of [...tables.withAthleteId, ...tables.children]) {
      const rows = await rowsOf(db, spec, 'athlete_id', athleteId);
      addText(`${spec.table}.json`, json(rows), rows.length);
      addText(`${spec.table}.csv`, toCsv(spec.columns, rows), rows.length);
    }

    const streams = await activityIdsWithStreams(db, athleteId);
    for (const activityId of streams) {
      const name = `streams/${activityId}.json`;
      zip.addReadStreamLazy(name, { mtime: now }, (done) => {
        loadStreamJson(db, activityId).then(
          (buffer) => done(null, Readable.from([buffer])),
          (error: unknown) => done(error, Readable.from([])),
        );
      });
      files.push({ name, records: 1 });
    }

    const exported = ['athletes', ...[...tables.withAthleteId, ...tables.children].map((t) => t.table)];
    addText(
      'manifest.json',
      json({
        format: exportFormat,
        generatedAt: now.toISOString(),
        athleteId,
        tables: exported,
        streams: streams.length,
        files: [...files],
      }),
      1,
    );
    addText('README.txt', readme(now), 0);
    zip.end();
    await written;
    return { files, tables: exported };
  } catch (error) {
    out.destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => {});
    throw error;
  }
}

/** The whole export in memory (for a Discord attachment or the download store). */
export async function buildAthleteExport(
  db: Db,
  athleteId: string,
  now: Date,
): Promise<{ zip: Buffer; contents: ExportContents }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const contents = await writeAthleteExport(db, athleteId, sink, now);
  return { zip: Buffer.concat(chunks), contents };
}

/**
 * The columns of `athletes`, of every table with an athlete_id column, and of every table that belongs to
 * one of those by a foreign key (rows about the athlete kept under a run or an import), minus secrets and
 * binaries.
 */
async function athleteTables(
  db: Db,
): Promise<{ athletes: string[]; withAthleteId: AthleteTable[]; children: AthleteTable[] }> {
  const rows = await schemaColumns(db);
  const owned = new Set(rows.filter((r) => r.column_name === 'athlete_id').map((r) => r.table_name));
  const exportable = new Map<string, string[]>();
  for (const row of rows) {
    if (excludedTables.has(row.table_name)) continue;
    if (row.data_type === 'bytea' || secretColumn.test(row.column_name)) continue;
    exportable.set(row.table_name, [...(exportable.get(row.table_name) ?? []), row.column_name]);
  }
  const byTable = new Map([...exportable].filter(([table]) => table === 'athletes' || owned.has(table)));
  const athletes = byTable.get('athletes') ?? ['id'];
  byTable.delete('athletes');
  const keys = await schemaForeignKeys(db);
  const children: AthleteTable[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.child) || excludedTables.has(key.child) || key.child === 'athletes') continue;
    if (byTable.has(key.child) || !byTable.has(key.parent)) continue;
    seen.add(key.child);
    const columns = exportable.get(key.child) ?? [];
    if (columns.length > 0) {
      children.push({
        table: key.child,
        columns,
        parent: { column: key.column, table: key.parent, key: key.key },
      });
    }
  }
  return {
    athletes,
    withAthleteId: [...byTable].map(([table, columns]) => ({ table, columns })),
    children,
  };
}

function rowsOf(
  db: Db,
  spec: AthleteTable,
  key: 'id' | 'athlete_id',
  athleteId: string,
): Promise<Record<string, unknown>[]> {
  const order = orderColumns.filter((column) => spec.columns.includes(column));
  return athleteTableRows(db, spec, key, athleteId, order);
}

async function loadStreamJson(db: Db, activityId: string): Promise<Buffer> {
  const data = await streamsData(db, activityId);
  if (!data) throw new Error(`the streams of activity ${activityId} are gone`);
  return gunzipSync(data);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readme(now: Date): string {
  return `Threshold data export, ${now.toISOString()}

Everything Threshold stores about you, as JSON (exact) and CSV (for spreadsheets):

  athlete.json              your profile and settings (time zone, units, digest, PMC constants)
  activities.*              every activity, with its source (strava_api, file_upload, strava_export)
                            and the raw summary as received
  activity_metrics.*        the metrics computed for each activity (stress score and method, power,
                            pace, heart rate, zones, peaks, decoupling) and the thresholds used
  daily_load.*              your performance management chart: daily stress, CTL (fitness),
                            ATL (fatigue), TSB (form), ramp, and the sources each day rests on
  athlete_thresholds.*      FTP, LTHR, heart rates and threshold paces, with the day each took effect
  strava_connections.*      the state of your Strava connection (the access tokens are not included)
  streams/<activity>.json   the recorded streams of each activity (Strava's key_by_type layout)
  other *.json / *.csv      every other table with your rows: training plans, race goals, the coach
                            conversation, sync and import history, ...
  manifest.json             the list of files with their record counts

Units: distances in metres, durations in seconds, speeds in metres per second, run pace in seconds per
km, swim pace in seconds per 100 m, power in watts, heart rate in beats per minute. Times ending in Z
are UTC; local dates and times have no zone.

Activity data from the Strava API is Powered by Strava.
`;
}
