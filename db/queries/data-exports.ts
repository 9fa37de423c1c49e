import type { Db } from '../connect.ts';

/** Data exports waiting for their one-time download (the ZIP itself is the row's `data`). */

/** Deletes exports whose link has expired by `now`; returns how many. */
export async function deleteExpiredExports(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('data_exports').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Keeps an export for its one-time download link; drops every expired one on the way. */
export async function storeExport(
  db: Db,
  values: { athleteId: string; fileName: string; data: Buffer; expiresAt: Date },
  now: Date,
): Promise<string> {
  await deleteExpiredExports(db, now);
  const row = await db
    .insertInto('data_exports')
    .values({
      athlete_id: values.athleteId,
      file_name: values.fileName,
      size_bytes: values.data.length,
      data: values.data,
      expires_at: values.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Takes a stored export out: the first download gets it, any later one finds nothing (one-time link). */
export async function takeExport(
  db: Db,
  exportId: string,
  now: Date,
): Promise<{ fileName: string; data: Buffer } | null> {
  const row = await db
    .deleteFrom('data_exports')
    .where('id', '=', exportId)
    .where('expires_at', '>', now)
    .returning(['file_name', 'data'])
    .executeTakeFirst();
  return row ? { fileName: row.file_name, data: row.data } : null;
}

/** Whether a download link still has its export waiting (the page asks before the one-time download). */
export async function exportWaiting(
  db: Db,
  exportId: string,
  now: Date,
): Promise<{ sizeBytes: number } | null> {
  const row = await db
    .selectFrom('data_exports')
    .select('size_bytes')
    .where('id', '=', exportId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? { sizeBytes: row.size_bytes } : null;
}
