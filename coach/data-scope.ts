import type { Db } from '../db/connect.ts';
import { stressByDayOfSources } from '../db/queries/activities.ts';
import { loadSeries } from '../db/queries/daily-load.ts';
import type { ActivitySource } from '../db/tables/activities.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { computePmc, type PmcRow } from '../metrics/pmc.ts';

/** Sources the model may see when COACH_STRAVA_DATA=exclude: everything not fetched through Strava's API. */
export const firewallSources: ActivitySource[] = ['file_upload', 'strava_export'];

/**
 * What one answer may read: one athlete (fixed by construction, never a tool argument), "today" in their
 * zone, and which activity sources it rests on (null: all). Every tool reads through this.
 */
export interface DataScope {
  db: Db;
  athlete: AthleteRow;
  today: string;
  /** null: every source; otherwise only these (the AI firewall). */
  sources: ActivitySource[] | null;
  /** The PMC through `to`, from the stored daily load or, under the firewall, recomputed. */
  pmc: (from: string, to: string) => Promise<(PmcRow & { sources: string[] })[]>;
}

export function createDataScope(
  db: Db,
  athlete: AthleteRow,
  today: string,
  sources: ActivitySource[] | null,
): DataScope {
  let recomputed: Promise<(PmcRow & { sources: string[] })[]> | null = null;
  return {
    db,
    athlete,
    today,
    sources,
    pmc: async (from, to) => {
      if (!sources) return loadSeries(db, athlete, from, to);
      // The stored daily_load mixes every source: rebuild the PMC from the allowed activities' stress only.
      recomputed ??= pmcFromSources(db, athlete, sources, today);
      const rows = await recomputed;
      return rows.filter((row) => row.date >= from && row.date <= to);
    },
  };
}

/** The athlete's PMC from the stress of activities of the given sources only, through `until`. */
export async function pmcFromSources(
  db: Db,
  athlete: AthleteRow,
  sources: ActivitySource[],
  until: string,
): Promise<(PmcRow & { sources: string[] })[]> {
  const days = await stressByDayOfSources(db, athlete.id, sources, until);
  if (days.length === 0) return [];
  const sourcesByDay = new Map(days.map((row) => [row.date, row.sources]));
  const rows = computePmc(
    days.map((row) => ({ date: row.date, stress: row.stress })),
    {
      ctlDays: athlete.ctl_days,
      atlDays: athlete.atl_days,
      seedCtl: athlete.seed_ctl,
      seedAtl: athlete.seed_atl,
      until,
    },
  );
  return rows.map((row) => ({ ...row, sources: sourcesByDay.get(row.date) ?? [] }));
}
