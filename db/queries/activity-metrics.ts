import type { Db } from '../connect.ts';
import type { NewActivityMetricsRow } from '../tables/activity-metrics.ts';

/** Stores (or replaces) an activity's metrics. */
export async function saveActivityMetrics(db: Db, row: NewActivityMetricsRow): Promise<void> {
  await db
    .insertInto('activity_metrics')
    .values(row)
    .onConflict((oc) => oc.column('activity_id').doUpdateSet(row))
    .execute();
}
