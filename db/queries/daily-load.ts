import { sql } from 'kysely';
import { addDays } from '../../lib/local-time.ts';
import { extendPmc, type PmcRow } from '../../metrics/pmc.ts';
import { type Db, inTransaction } from '../connect.ts';
import type { AthleteRow } from '../tables/athletes.ts';
import type { DailyLoadRow, NewDailyLoadRow } from '../tables/daily-load.ts';

/**
 * The PMC table (daily_load): its inputs (each day's stress of analysed activities) and its stored days as
 * the recompute writes them, and the series the replies, charts and the coach read.
 */

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

export interface LoadSeriesDay extends PmcRow {
  /** Sources the day's stress rests on (empty on rest days and on days carried past the last recompute). */
  sources: string[];
}

/**
 * The athlete's daily load from `from` through `to`, one row per day from their first activity on. Stored
 * rows end on the day of the last recompute; the days after it are carried forward as rest days, so form
 * is always today's, not the last sync's.
 */
export async function loadSeries(
  db: Db,
  athlete: Pick<AthleteRow, 'id' | 'ctl_days' | 'atl_days'>,
  from: string,
  to: string,
): Promise<LoadSeriesDay[]> {
  // Seven days before `from` keep the ramp of carried-forward days exact.
  const stored = await db
    .selectFrom('daily_load')
    .select(['date', 'stress', 'ctl', 'atl', 'tsb', 'ramp', 'sources'])
    .where('athlete_id', '=', athlete.id)
    .where('date', '>=', addDays(from, -7))
    .where('date', '<=', to)
    .orderBy('date')
    .execute();
  let rows: LoadSeriesDay[] = stored;
  if (rows.length === 0) {
    // Nothing in the window: carry the latest row before it, if the athlete has any history at all.
    const latest = await db
      .selectFrom('daily_load')
      .select(['date', 'stress', 'ctl', 'atl', 'tsb', 'ramp', 'sources'])
      .where('athlete_id', '=', athlete.id)
      .where('date', '<', from)
      .orderBy('date', 'desc')
      .limit(7)
      .execute();
    if (latest.length === 0) return [];
    rows = latest.reverse();
  }
  const extended = extendPmc(rows, to, { ctlDays: athlete.ctl_days, atlDays: athlete.atl_days });
  return extended
    .map((row) => ({ ...row, sources: 'sources' in row ? (row as LoadSeriesDay).sources : [] }))
    .filter((row) => row.date >= from && row.date <= to);
}

/** The athlete's latest day of load, on or before `onOrBefore` when given. */
export function latestLoad(
  db: Db,
  athleteId: string,
  onOrBefore?: string,
): Promise<Pick<DailyLoadRow, 'ctl' | 'atl' | 'tsb'> | undefined> {
  let query = db.selectFrom('daily_load').select(['ctl', 'atl', 'tsb']).where('athlete_id', '=', athleteId);
  if (onOrBefore !== undefined) query = query.where('date', '<=', onOrBefore);
  return query.orderBy('date', 'desc').limit(1).executeTakeFirst();
}
