import type { Db } from '../db/connect.ts';
import { inTransaction } from '../db/connect.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import type { ActivityAnalyzer } from '../ingest/activities/analyzer-port.ts';
import { type PmcCompute, recomputePmc } from '../ingest/activities/pmc-store.ts';
import type { Logger } from '../lib/logger.ts';
import { matchActivityToPlan } from '../planning/match-activity.ts';
import { type IncomingFile, type StoredFileActivity, storeActivityFile } from './store-activity-file.ts';

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
