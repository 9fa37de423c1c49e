import { addDays } from '../../lib/local-time.ts';
import { extendPmc, type PmcRow } from '../../metrics/pmc.ts';
import type { Db } from '../connect.ts';
import type { AthleteRow } from '../tables/athletes.ts';
import type { DailyLoadRow } from '../tables/daily-load.ts';

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
