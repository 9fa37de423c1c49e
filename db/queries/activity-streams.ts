import type { Db } from '../connect.ts';
import type { NewActivityStreamsRow } from '../tables/activities.ts';

/** Stores (or replaces) an activity's stream set and marks the activity as having streams. */
export async function saveStreams(db: Db, row: NewActivityStreamsRow): Promise<void> {
  await db
    .insertInto('activity_streams')
    .values(row)
    .onConflict((oc) => oc.column('activity_id').doUpdateSet(row))
    .execute();
  await db
    .updateTable('activities')
    .set({ streams_state: 'stored' })
    .where('id', '=', row.activity_id)
    .execute();
}

/** Deletes an activity's stream set and marks the activity as having none. */
export async function deleteStreams(db: Db, activityId: string): Promise<void> {
  await db.deleteFrom('activity_streams').where('activity_id', '=', activityId).execute();
  await db.updateTable('activities').set({ streams_state: 'none' }).where('id', '=', activityId).execute();
}

/** The stored (gzip'd) stream set of an activity, or null. */
export async function streamsData(db: Db, activityId: string): Promise<Buffer | null> {
  const row = await db
    .selectFrom('activity_streams')
    .select('data')
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return row?.data ?? null;
}
