import type { Db } from '../db/connect.ts';
import { inTransaction } from '../db/connect.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import type { ActivityAnalyzer } from '../ingest/activities/analyzer-port.ts';
import { type PmcCompute, recomputePmc } from '../ingest/activities/pmc-store.ts';
import type { Logger } from '../lib/logger.ts';
import { matchActivityToPlan } from '../planning/match-activity.ts';
import {
  type IncomingFile,
  type IncomingLegs,
  type StoredFileActivity,
  storeActivityFile,
  storeActivityFileLegs,
} from './store-activity-file.ts';

export interface ImportDeps {
  db: Db;
  analyze: ActivityAnalyzer;
  pmc: PmcCompute;
  now: () => Date;
  logger: Logger;
}

/**
 * Stores one workout file for an athlete in one transaction, holding the athlete's row lock like the
 * Strava sync does (so an upload and a webhook for the same ride cannot both create it), and recomputes
 * the PMC from the day it changed unless `recompute` is false (a bulk import recomputes once at the end).
 */
export function importActivityFile(
  deps: ImportDeps,
  athlete: AthleteRow,
  incoming: IncomingFile,
  options: { recompute?: boolean } = {},
): Promise<StoredFileActivity> {
  return inTransaction(deps.db, async (trx) => {
    await trx
      .selectFrom('athletes')
      .select('id')
      .where('id', '=', athlete.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const stored = await storeActivityFile(trx, deps.analyze, athlete, incoming);
    // Like a synced activity, a new or changed one is paired with the day's planned workout.
    if (stored.changedFrom) await matchActivityToPlan(trx, stored.activityId, deps.logger);
    if (stored.changedFrom && options.recompute !== false) {
      await recomputePmc(trx, deps.pmc, athlete.id, stored.changedFrom, deps.now());
    }
    return stored;
  });
}

/**
 * `importActivityFile` for a delivery read as legs (`readActivityFileLegs`): a multisport file stores one
 * activity per leg, all in one transaction, and the PMC is recomputed once from the earliest changed day.
 */
export function importActivityFileLegs(
  deps: ImportDeps,
  athlete: AthleteRow,
  incoming: IncomingLegs,
  options: { recompute?: boolean } = {},
): Promise<StoredFileActivity[]> {
  return inTransaction(deps.db, async (trx) => {
    await trx
      .selectFrom('athletes')
      .select('id')
      .where('id', '=', athlete.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const stored = await storeActivityFileLegs(trx, deps.analyze, athlete, incoming);
    let earliest: string | null = null;
    for (const leg of stored) {
      if (!leg.changedFrom) continue;
      await matchActivityToPlan(trx, leg.activityId, deps.logger);
      if (earliest === null || leg.changedFrom < earliest) earliest = leg.changedFrom;
    }
    if (earliest && options.recompute !== false) {
      await recomputePmc(trx, deps.pmc, athlete.id, earliest, deps.now());
    }
    return stored;
  });
}
