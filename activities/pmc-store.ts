import { type Db, inTransaction } from '../db/connect.ts';
import { findAthleteById } from '../db/queries/athletes.ts';
import {
  analysedSpan,
  dailyStressFrom,
  deleteDailyLoad,
  lockDailyLoad,
  replaceDailyLoad,
  storedLoadBetween,
} from '../db/queries/daily-load.ts';
import { addDays, localDate } from '../lib/local-time.ts';
import { pmcFrom } from '../metrics/pmc.ts';

// One PMC day has one name: metrics/pmc.ts's PmcRow (the daily_load row is the same numbers, stored).

/**
 * Recomputes an athlete's daily_load from `fromDate` (their local date) through today: only that stretch
 * is rewritten, continuing from the stored state of the day before. Every day from the first activity on
 * has a row; days before the first activity have none.
 */
export function recomputePmc(
  db: Db,
  athleteId: string,
  fromDate: string | null,
  now = new Date(),
): Promise<{ from: string | null; days: number }> {
  return inTransaction(db, async (trx) => {
    await lockDailyLoad(trx, athleteId);
    return recomputeLocked(trx, athleteId, fromDate, now);
  });
}

async function recomputeLocked(
  db: Db,
  athleteId: string,
  fromDate: string | null,
  now: Date,
): Promise<{ from: string | null; days: number }> {
  const athlete = await findAthleteById(db, athleteId);
  if (!athlete) throw new Error(`no athlete ${athleteId}`);
  const span = await analysedSpan(db, athleteId);
  if (!span.first || !span.last) {
    await deleteDailyLoad(db, athleteId);
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
    const before = await storedLoadBetween(db, athleteId, addDays(start, -7), start);
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
  const stressRows = await dailyStressFrom(db, athleteId, start);
  const byDate = new Map(stressRows.map((row) => [row.date, row]));
  const days: { date: string; stress: number }[] = [];
  for (let date = start; date <= end; date = addDays(date, 1)) {
    days.push({ date, stress: byDate.get(date)?.stress ?? 0 });
  }
  const rows = pmcFrom(previous, days, { ctlDays: athlete.ctl_days, atlDays: athlete.atl_days });
  await replaceDailyLoad(
    db,
    athleteId,
    { from: start, first: span.first },
    rows.map((row) => ({
      athlete_id: athleteId,
      date: row.date,
      stress: row.stress,
      ctl: row.ctl,
      atl: row.atl,
      tsb: row.tsb,
      ramp: row.ramp,
      sources: byDate.get(row.date)?.sources ?? [],
    })),
  );
  return { from: start, days: rows.length };
}
