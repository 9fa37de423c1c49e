import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db } from '../connect.ts';
import type {
  ExportImportEntriesTable,
  ExportImportRow,
  ExportImportsTable,
} from '../tables/export-imports.ts';

/** Strava bulk-export imports: the import, the uploaded ZIP's chunks, and one outcome per ZIP entry. */

export type ImportEntryOutcome = ExportImportEntriesTable['outcome'];

/** Starts an import; returns its id. */
export async function insertExportImport(db: Db, values: Insertable<ExportImportsTable>): Promise<string> {
  const row = await db.insertInto('export_imports').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findExportImport(db: Db, importId: string): Promise<ExportImportRow | undefined> {
  return db.selectFrom('export_imports').selectAll().where('id', '=', importId).executeTakeFirst();
}

/** The athlete's import of a ZIP on this machine at `path` that is queued or running, if any. */
export function findUnfinishedLocalImport(
  db: Db,
  athleteId: string,
  path: string,
): Promise<Pick<ExportImportRow, 'id'> | undefined> {
  return db
    .selectFrom('export_imports')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('local_path', '=', path)
    .where('state', 'in', ['queued', 'running'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function updateExportImport(
  db: Db,
  importId: string,
  changes: Omit<Updateable<ExportImportsTable>, 'id' | 'updated_at'>,
): Promise<void> {
  await db
    .updateTable('export_imports')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', importId)
    .execute();
}

/**
 * Moves an import whose link is still valid from awaiting its upload to uploading: only the first request
 * does (a link is single use). False when it was not awaiting an upload or its link had expired.
 */
export async function claimImportUpload(db: Db, importId: string, now: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('export_imports')
    .set({ state: 'uploading', updated_at: new Date() })
    .where('id', '=', importId)
    .where('state', '=', 'awaiting_upload')
    .where('link_expires_at', '>', now)
    .returning(['id'])
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function insertImportChunk(db: Db, importId: string, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('export_import_chunks').values({ import_id: importId, seq, data }).execute();
}

export async function readImportChunk(db: Db, importId: string, seq: number): Promise<Buffer | undefined> {
  const chunk = await db
    .selectFrom('export_import_chunks')
    .select('data')
    .where('import_id', '=', importId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return chunk?.data;
}

export async function deleteImportChunks(db: Db, importId: string): Promise<void> {
  await db.deleteFrom('export_import_chunks').where('import_id', '=', importId).execute();
}

/** An entry's outcome, counted on its import. */
export async function recordImportEntry(
  db: Db,
  importId: string,
  entry: {
    entryName: string;
    outcome: ImportEntryOutcome;
    activityId: string | null;
    message: string | null;
  },
): Promise<void> {
  await db
    .insertInto('export_import_entries')
    .values({
      import_id: importId,
      entry_name: entry.entryName,
      outcome: entry.outcome,
      activity_id: entry.activityId,
      message: entry.message,
    })
    .execute();
  const counter =
    entry.outcome === 'imported'
      ? 'imported'
      : entry.outcome === 'duplicate'
        ? 'duplicates'
        : entry.outcome === 'failed'
          ? 'failed'
          : 'skipped';
  await db
    .updateTable('export_imports')
    .set((eb) => ({ [counter]: eb(counter, '+', 1), updated_at: new Date() }))
    .where('id', '=', importId)
    .execute();
}

/** The names of the entries the import has finished (a resumed import skips them). */
export async function importEntryNames(db: Db, importId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('export_import_entries')
    .select('entry_name')
    .where('import_id', '=', importId)
    .execute();
  return rows.map((row) => row.entry_name);
}

export async function countImportEntries(
  db: Db,
  importId: string,
  outcome: ImportEntryOutcome,
): Promise<number> {
  const row = await db
    .selectFrom('export_import_entries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('import_id', '=', importId)
    .where('outcome', '=', outcome)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Up to `limit` of the activities the import created. */
export async function importedActivityIds(db: Db, importId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('export_import_entries')
    .select('activity_id')
    .where('import_id', '=', importId)
    .where('outcome', '=', 'imported')
    .where('activity_id', 'is not', null)
    .limit(limit)
    .execute();
  return rows.flatMap((row) => (row.activity_id ? [row.activity_id] : []));
}

/** The earliest local day of the activities the import's entries name (null when none). */
export async function importFirstDay(db: Db, importId: string): Promise<string | null> {
  const row = await db
    .selectFrom('export_import_entries')
    .innerJoin('activities', 'activities.id', 'export_import_entries.activity_id')
    .select(sql<string | null>`min(activities.local_date)::text`.as('first'))
    .where('export_import_entries.import_id', '=', importId)
    .executeTakeFirst();
  return row?.first ?? null;
}
