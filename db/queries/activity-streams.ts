import { sql } from 'kysely';
import { type Db, inTransaction } from '../connect.ts';
import type { ActivityRow, NewActivityStreamsRow } from '../tables/activities.ts';

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

/** Retention of Strava API streams: purging them, and fetching again those a re-analysis needs. */

/**
 * Deletes up to `limit` stored streams of Strava API activities that started, or were fetched, before
 * `cutoff`, and marks those activities `purged`, in one transaction. Returns how many went.
 */
export function purgeStreamsBatch(db: Db, cutoff: Date, limit: number): Promise<number> {
  return inTransaction(db, async (trx) => {
    const doomed = await trx
      .selectFrom('activity_streams')
      .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
      .select('activity_streams.activity_id')
      .where('activities.source', '=', 'strava_api')
      .where((eb) =>
        eb.or([eb('activity_streams.fetched_at', '<', cutoff), eb('activities.start_date', '<', cutoff)]),
      )
      .limit(limit)
      .forUpdate('activity_streams')
      // Another worker purging at the same time takes other rows instead of waiting.
      .skipLocked()
      .execute();
    const ids = doomed.map((row) => row.activity_id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('activity_streams').where('activity_id', 'in', ids).execute();
    await trx
      .updateTable('activities')
      .set({ streams_state: 'purged', updated_at: sql<Date>`now()` })
      .where('id', 'in', ids)
      .execute();
    return ids.length;
  });
}

/** Up to `limit` of the athlete's activities whose purged streams are due to be fetched again, oldest first. */
export function streamsRefetchDue(
  db: Db,
  athleteId: string,
  limit: number,
): Promise<Pick<ActivityRow, 'id' | 'strava_id'>[]> {
  return db
    .selectFrom('activities')
    .select(['id', 'strava_id'])
    .where('athlete_id', '=', athleteId)
    .where('streams_refetch_due', '=', true)
    .orderBy('start_date')
    .limit(limit)
    .execute();
}

export async function countStreamsRefetchDue(db: Db, athleteId: string): Promise<number> {
  const row = await db
    .selectFrom('activities')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('athlete_id', '=', athleteId)
    .where('streams_refetch_due', '=', true)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The activity's streams are no longer due to be fetched again (fetched, or gone from Strava). */
export async function clearStreamsRefetchDue(db: Db, activityId: string): Promise<void> {
  await db
    .updateTable('activities')
    .set({ streams_refetch_due: false })
    .where('id', '=', activityId)
    .execute();
}

/** The athlete's activities that have streams stored, by id. */
export async function activityIdsWithStreams(db: Db, athleteId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('activity_streams')
    .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
    .select('activity_streams.activity_id')
    .where('activities.athlete_id', '=', athleteId)
    .orderBy('activity_streams.activity_id')
    .execute();
  return rows.map((row) => row.activity_id);
}
