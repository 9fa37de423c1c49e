import type { Db } from '../connect.ts';
import type { StravaRateLimitRow } from '../tables/strava-rate-limit.ts';

/** The application's one Strava rate-limit budget: a single row (id 1) every worker process shares. */

/**
 * The budget row, created with `fresh` windows when missing, locked for the rest of the transaction:
 * each decision on the budget is taken by one process at a time.
 */
export async function lockRateLimit(
  db: Db,
  fresh: { windowStart: Date; dayStart: Date },
): Promise<StravaRateLimitRow> {
  await db
    .insertInto('strava_rate_limit')
    .values({ id: 1, window_start: fresh.windowStart, day_start: fresh.dayStart })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db
    .selectFrom('strava_rate_limit')
    .selectAll()
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function saveRateLimit(
  db: Db,
  budget: Omit<StravaRateLimitRow, 'id' | 'updated_at'>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('strava_rate_limit')
    .set({ ...budget, updated_at: now })
    .where('id', '=', 1)
    .execute();
}
