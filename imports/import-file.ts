import { type ActivityDeps, recordDelivery } from '../activities/record-delivery.ts';
import type { IncomingFile, IncomingLegs, StoredFileActivity } from '../activities/store-activity-file.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';

/** What importing a file needs: the activity write path's dependencies. */
export type ImportDeps = ActivityDeps;

/**
 * Stores one workout file for an athlete through the one write path (activities/record-delivery.ts): under
 * the athlete's row lock like the Strava sync (so an upload and a webhook for the same ride cannot both
 * create it), and recomputes the PMC from the day it changed unless `recompute` is false (a bulk import
 * recomputes once at the end).
 */
export function importActivityFile(
  deps: ImportDeps,
  athlete: AthleteRow,
  incoming: IncomingFile,
  options: { recompute?: boolean } = {},
): Promise<StoredFileActivity> {
  return recordDelivery(deps, athlete, { kind: 'file', file: incoming }, options);
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
  return recordDelivery(deps, athlete, { kind: 'legs', file: incoming }, options);
}
