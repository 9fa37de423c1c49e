import { sql } from 'kysely';
import { type Db, inTransaction } from '../connect.ts';
import type { NewDailyLoadRow } from '../tables/daily-load.ts';

/** The PMC's inputs (each day's stress of analysed activities) and its stored days, as the recompute writes them. */

/**
 * One recompute per athlete at a time (a webhook and a backfill can finish together): each reads the
 * state the previous one wrote, and two never insert the same day. Call inside a transaction.
 */
export async function lockDailyLoad(trx: Db, athleteId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('threshold.pmc'), hashtext(${athleteId}))`.execute(trx);
}

/** The first and last local day of the athlete's analysed activities (nulls: none). */
export async function analysedSpan(
  db: Db,
  athleteId: string,
): Promise<{ first: string | null; last: string | null }> {
  const span = await db
    .selectFrom('activity_metrics')
    .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
    .select([
      sql<string | null>`min(activities.local_date)::text`.as('first'),
      sql<string | null>`max(activities.local_date)::text`.as('last'),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .executeTakeFirst();
  return { first: span?.first ?? null, last: span?.last ?? null };
}

/** Each day's summed stress from `from` on, with the sources it rests on (days with activities only). */
export function dailyStressFrom(db: Db, athleteId: string, from: string) {
  return db
    .selectFrom('activity_metrics')
    .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
    .select([
      sql<string>`activities.local_date::text`.as('date'),
      sql<number>`sum(activity_metrics.stress)::float8`.as('stress'),
      sql<string[]>`array_agg(DISTINCT activities.source)`.as('sources'),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.local_date', '>=', from)
    .groupBy('activities.local_date')
    .execute();
}

/** The stored days from `from` up to (not including) `before`, oldest first. */
export function storedLoadBetween(db: Db, athleteId: string, from: string, before: string) {
  return db
    .selectFrom('daily_load')
    .select(['date', 'ctl', 'atl'])
    .where('athlete_id', '=', athleteId)
    .where('date', '>=', from)
    .where('date', '<', before)
    .orderBy('date')
    .execute();
}

export async function deleteDailyLoad(db: Db, athleteId: string): Promise<void> {
  await db.deleteFrom('daily_load').where('athlete_id', '=', athleteId).execute();
}

/**
 * Replaces the stored days from `from` on with `rows`, and drops any before `first` (the athlete's first
 * activity), in one transaction.
 */
export function replaceDailyLoad(
  db: Db,
  athleteId: string,
  range: { from: string; first: string },
  rows: NewDailyLoadRow[],
): Promise<void> {
  return inTransaction(db, async (trx) => {
    await trx
      .deleteFrom('daily_load')
      .where('athlete_id', '=', athleteId)
      .where((eb) => eb.or([eb('date', '>=', range.from), eb('date', '<', range.first)]))
      .execute();
    for (let i = 0; i < rows.length; i += 1000) {
      await trx
        .insertInto('daily_load')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
  });
}
