import { sql } from 'kysely';
import { type Db, inTransaction } from '../db/connect.ts';
import { addDays, localDate } from '../lib/local-time.ts';
import type { PmcRow } from '../metrics/pmc.ts';

// One PMC day has one name: metrics/pmc.ts's PmcRow (the daily_load row is the same numbers, stored).

/**
 * The PMC recurrence (metrics engine): continues from the state before the first day — CTL and ATL of the
 * previous day, and the CTL of up to 7 days before it for the ramp — over consecutive daily stresses.
 */
export type PmcCompute = (
  previous: { ctl: number; atl: number; recentCtl: number[]; seedCtl?: number },
  days: { date: string; stress: number }[],
  options: { ctlDays: number; atlDays: number },
) => PmcRow[];

/**
 * Recomputes an athlete's daily_load from `fromDate` (their local date) through today: only that stretch
 * is rewritten, continuing from the stored state of the day before. Every day from the first activity on
 * has a row; days before the first activity have none.
 */
export function recomputePmc(
  db: Db,
  compute: PmcCompute,
  athleteId: string,
  fromDate: string | null,
  now = new Date(),
): Promise<{ from: string | null; days: number }> {
  // One recompute per athlete at a time (a webhook and a backfill can finish together): each reads the
  // state the previous one wrote, and two never insert the same day.
  return inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('threshold.pmc'), hashtext(${athleteId}))`.execute(trx);
    return recomputeLocked(trx, compute, athleteId, fromDate, now);
  });
}

async function recomputeLocked(
  db: Db,
  compute: PmcCompute,
  athleteId: string,
  fromDate: string | null,
  now: Date,
): Promise<{ from: string | null; days: number }> {
  const athlete = await db
    .selectFrom('athletes')
    .select(['timezone', 'ctl_days', 'atl_days', 'seed_ctl', 'seed_atl'])
    .where('id', '=', athleteId)
    .executeTakeFirstOrThrow();
  const span = await db
    .selectFrom('activity_metrics')
    .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
    .select([
      sql<string | null>`min(activities.local_date)::text`.as('first'),
      sql<string | null>`max(activities.local_date)::text`.as('last'),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .executeTakeFirst();
  if (!span?.first || !span.last) {
    await db.deleteFrom('daily_load').where('athlete_id', '=', athleteId).execute();
    return { from: null, days: 0 };
  }
  const today = localDate(now, athlete.timezone);
  // biome-ignore lint/complexity/useMathMinMax: these are YYYY-MM-DD strings, compared as text
  const end = span.last > today ? span.last : today;
  let start = fromDate === null || fromDate < span.first ? span.first : fromDate;
  // Days before the first activity carry the seed (the ramp of the first week looks back at it).
  let previous = {
    ctl: athlete.seed_ctl,
    atl: athlete.seed_atl,
    recentCtl: [] as number[],
    seedCtl: athlete.seed_ctl,
  };
  if (start > span.first) {
    const before = await db
      .selectFrom('daily_load')
      .select(['date', 'ctl', 'atl'])
      .where('athlete_id', '=', athleteId)
      .where('date', '>=', addDays(start, -7))
      .where('date', '<', start)
      .orderBy('date')
      .execute();
    const dayBefore = before.at(-1);
    if (dayBefore && dayBefore.date === addDays(start, -1)) {
      previous = {
        ctl: dayBefore.ctl,
        atl: dayBefore.atl,
        recentCtl: before.map((row) => row.ctl),
        seedCtl: athlete.seed_ctl,
      };
    } else {
      // The stored history has a hole (first run, or rows removed): rebuild from the first activity.
      start = span.first;
    }
  }
  if (start > end) return { from: start, days: 0 };
  const stressRows = await db
    .selectFrom('activity_metrics')
    .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
    .select([
      sql<string>`activities.local_date::text`.as('date'),
      sql<number>`sum(activity_metrics.stress)::float8`.as('stress'),
      sql<string[]>`array_agg(DISTINCT activities.source)`.as('sources'),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.local_date', '>=', start)
    .groupBy('activities.local_date')
    .execute();
  const byDate = new Map(stressRows.map((row) => [row.date, row]));
  const days: { date: string; stress: number }[] = [];
  for (let date = start; date <= end; date = addDays(date, 1)) {
    days.push({ date, stress: byDate.get(date)?.stress ?? 0 });
  }
  const rows = compute(previous, days, { ctlDays: athlete.ctl_days, atlDays: athlete.atl_days });
  await inTransaction(db, async (trx) => {
    await trx
      .deleteFrom('daily_load')
      .where('athlete_id', '=', athleteId)
      .where((eb) => eb.or([eb('date', '>=', start), eb('date', '<', span.first!)]))
      .execute();
    for (let i = 0; i < rows.length; i += 1000) {
      await trx
        .insertInto('daily_load')
        .values(
          rows.slice(i, i + 1000).map((row) => ({
            athlete_id: athleteId,
            date: row.date,
            stress: row.stress,
            ctl: row.ctl,
            atl: row.atl,
            tsb: row.tsb,
            ramp: row.ramp,
            sources: byDate.get(row.date)?.sources ?? [],
          })),
        )
        .execute();
    }
  });
  return { from: start, days: rows.length };
}
