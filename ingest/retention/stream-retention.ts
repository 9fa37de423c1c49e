import type { Db } from '../../db/connect.ts';
import { purgeStreamsBatch } from '../../db/queries/activity-streams.ts';

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
    const batch = await purgeStreamsBatch(db, cutoff, batchSize);
    purged += batch;
    if (batch < batchSize) return purged;
  }
}
