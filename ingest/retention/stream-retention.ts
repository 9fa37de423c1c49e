import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

/** Streams purged per transaction: keeps each one short, whatever the history's size. */
const batchSize = 500;

/**
 * Deletes the raw streams of Strava API activities older than `days` and marks those activities
 * `purged`. Their metrics and the PMC stay: they are derived values, and re-analysis refetches streams.
 * An activity's streams go once the activity started more than `days` ago, or once they were fetched
 * more than `days` ago (Strava's API Policy §5.5 limits how long API data may be cached): a backfilled
 * year goes at the next run, and a refetch for re-analysis is never kept longer than a fresh delivery.
 * Uploaded files and Strava export imports are the athlete's own files and are never purged.
 */
export async function purgeExpiredStreams(db: Db, days: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  let purged = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom('activity_streams')
        .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
        .select('activity_streams.activity_id')
        .where('activities.source', '=', 'strava_api')
        .where((eb) =>
          eb.or([eb('activity_streams.fetched_at', '<', cutoff), eb('activities.start_date', '<', cutoff)]),
        )
        .limit(batchSize)
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
    purged += batch;
    if (batch < batchSize) return purged;
  }
}
