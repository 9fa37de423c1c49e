import { type Db, inTransaction } from '../db/connect.ts';
import {
  deleteActivity,
  deleteStravaActivities,
  deleteStravaStreams,
  findActivityByStravaId,
  firstStravaActivityDay,
  forgetStravaRawData,
} from '../db/queries/activities.ts';
import { followActivityTimezone, lockAthlete } from '../db/queries/athletes.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { isValidTimeZone } from '../lib/local-time.ts';
import type { Logger } from '../lib/logger.ts';
import { analyzeStoredActivity, storeStreams, upsertStravaActivity } from './activity-store.ts';
import { matchActivityToPlan, rematchDayAfterDelete } from './match-activity.ts';
import { recomputePmc } from './pmc-store.ts';
import {
  type IncomingFile,
  type IncomingLegs,
  type StoredFileActivity,
  storeActivityFile,
  storeActivityFileLegs,
} from './store-activity-file.ts';
import { type CsvOnlyActivity, storeCsvActivity } from './store-csv-activity.ts';
import type { StravaActivity } from './strava-activity.ts';
import { detachStravaDelivery, mergeStravaDelivery } from './strava-merge.ts';

/** What the write path needs: the database, the clock and a logger (the metrics engine is called directly). */
export interface ActivityDeps {
  db: Db;
  now: () => Date;
  logger: Logger;
}

/** A Strava activity as the API gave it, with its streams (null: none, as for a manual entry). */
export interface StravaDelivery {
  kind: 'strava';
  activity: StravaActivity;
  streams: Record<string, unknown> | null;
}
/** A parsed file (upload, export, demo): one workout, or one activity per leg of a multisport file. */
type FileDelivery = { kind: 'file'; file: IncomingFile } | { kind: 'legs'; file: IncomingLegs };
/** A row of an export's activities.csv with no file (a manual entry on Strava). */
export interface CsvDelivery {
  kind: 'csv';
  row: CsvOnlyActivity;
  sourceRef: string;
}
export type Delivery = StravaDelivery | FileDelivery | CsvDelivery;

export interface RecordOptions {
  /** False for a bulk delivery: it settles the PMC once at the end (`settleLoad`). Default true. */
  recompute?: boolean;
}

export interface StravaRecorded {
  activityId: string;
  changedFrom: string;
  created: boolean;
}

/**
 * The one way an activity enters or changes: locks the athlete, finds the same workout from any other
 * source and merges into it (the richer streams win), stores and scores it, pairs it with the day's
 * planned workout and recomputes the PMC from the earliest day that changed. Runs in one transaction (the
 * caller's when `deps.db` is one).
 */
export function recordDelivery(
  deps: ActivityDeps,
  athlete: Pick<AthleteRow, 'id'>,
  delivery: StravaDelivery,
  options?: RecordOptions,
): Promise<StravaRecorded>;
export function recordDelivery(
  deps: ActivityDeps,
  athlete: AthleteRow,
  delivery: { kind: 'file'; file: IncomingFile },
  options?: RecordOptions,
): Promise<StoredFileActivity>;
export function recordDelivery(
  deps: ActivityDeps,
  athlete: AthleteRow,
  delivery: { kind: 'legs'; file: IncomingLegs },
  options?: RecordOptions,
): Promise<StoredFileActivity[]>;
export function recordDelivery(
  deps: ActivityDeps,
  athlete: AthleteRow,
  delivery: CsvDelivery,
  options?: RecordOptions,
): Promise<StoredFileActivity>;
export function recordDelivery(
  deps: ActivityDeps,
  athlete: AthleteRow | Pick<AthleteRow, 'id'>,
  delivery: Delivery,
  options: RecordOptions = {},
): Promise<StravaRecorded | StoredFileActivity | StoredFileActivity[]> {
  return inTransaction(deps.db, async (trx) => {
    await lockAthlete(trx, athlete.id);
    const stored = await store(trx, athlete, delivery);
    const changed = (Array.isArray(stored) ? stored : [stored]).filter((one) => one.changedFrom !== null);
    // Like every delivery, a new or changed activity is paired with the day's planned workout
    // (failure-tolerant: a savepoint, logged, never fails the delivery).
    for (const one of changed) await matchActivityToPlan(trx, one.activityId, deps.logger);
    const from = earliest(changed.map((one) => one.changedFrom));
    if (from && options.recompute !== false) await recomputePmc(trx, athlete.id, from, deps.now());
    return stored;
  });
}

async function store(
  trx: Db,
  athlete: AthleteRow | Pick<AthleteRow, 'id'>,
  delivery: Delivery,
): Promise<StravaRecorded | StoredFileActivity | StoredFileActivity[]> {
  switch (delivery.kind) {
    case 'strava':
      return storeStravaDelivery(trx, athlete.id, delivery);
    case 'file':
      return storeActivityFile(trx, athlete as AthleteRow, delivery.file);
    case 'legs':
      return storeActivityFileLegs(trx, athlete as AthleteRow, delivery.file);
    case 'csv':
      return storeCsvActivity(trx, athlete as AthleteRow, delivery.row, delivery.sourceRef);
  }
}

async function storeStravaDelivery(
  trx: Db,
  athleteId: string,
  { activity, streams }: StravaDelivery,
): Promise<StravaRecorded> {
  // The same workout uploaded as a file or imported from an export stays one activity.
  const merged = await mergeStravaDelivery(trx, athleteId, activity, streams);
  if (merged) return { ...merged, created: false };
  // Until the athlete picks a time zone, it follows their newest Strava activity's.
  const zone = activity.timezone;
  if (zone && isValidTimeZone(zone)) await followActivityTimezone(trx, athleteId, zone, activity.startDate);
  const stored = await upsertStravaActivity(trx, athleteId, activity);
  await storeStreams(trx, stored.id, streams);
  await analyzeStoredActivity(trx, stored.id);
  const changedFrom =
    stored.previousLocalDate && stored.previousLocalDate < stored.localDate
      ? stored.previousLocalDate
      : stored.localDate;
  return { activityId: stored.id, changedFrom, created: stored.created };
}

/**
 * The one way an activity leaves: a Strava delete event. Only an activity of `ownerAthleteId` is touched
 * (events are not signed); one that rests on a file the athlete gave us directly is only detached from
 * Strava. Re-pairs the day's plan and recomputes the PMC from its day. True when an activity was deleted.
 */
export function removeDelivery(
  deps: ActivityDeps,
  delivery: { kind: 'strava'; stravaId: string; ownerAthleteId: string },
): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const activity = await findActivityByStravaId(trx, delivery.stravaId);
    if (!activity || activity.athlete_id !== delivery.ownerAthleteId) return false;
    if (activity.source !== 'strava_api') {
      await detachStravaDelivery(trx, activity.id, delivery.stravaId);
      return false;
    }
    await lockAthlete(trx, activity.athlete_id);
    await deleteActivity(trx, activity.id);
    await rematchDayAfterDelete(trx, activity.athlete_id, activity.local_date, deps.logger);
    await recomputePmc(trx, activity.athlete_id, activity.local_date, deps.now());
    return true;
  });
}

function earliest(days: (string | null)[]): string | null {
  let first: string | null = null;
  for (const day of days) if (day !== null && (first === null || day < first)) first = day;
  return first;
}

/**
 * Brings the athlete's PMC up to date from `fromDate` (null: from their first activity) after deliveries
 * recorded with `recompute: false` — a backfill slice, an export import, the demo season — or after a
 * re-analysis. Under the athlete's row lock like every write; joins the caller's transaction.
 */
export async function settleLoad(
  db: Db,
  athleteId: string,
  fromDate: string | null,
  now = new Date(),
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockAthlete(trx, athleteId);
    await recomputePmc(trx, athleteId, fromDate, now);
  });
}

export interface StravaDataRemoved {
  activitiesDeleted: number;
  streamsDeleted: number;
  /** The earliest day whose PMC changed, or null when nothing did. */
  recomputeFrom: string | null;
}

/**
 * The athlete's Strava API data leaves (disconnect, deauthorization): their Strava activities with streams
 * and metrics, or with `keepDerived` only the streams, Strava's summaries and titles (the computed numbers
 * stay). Files and exports are never touched. The PMC is then recomputed from `recomputeFrom` (the whole
 * history when it is null), unless `recompute` is false (the caller queues it). Joins the caller's
 * transaction.
 */
export function removeStravaData(
  db: Db,
  athleteId: string,
  options: { keepDerived: boolean; recompute?: boolean },
  now = new Date(),
): Promise<StravaDataRemoved> {
  return inTransaction(db, async (trx) => {
    const earliest = await firstStravaActivityDay(trx, athleteId);
    const streamsDeleted = await deleteStravaStreams(trx, athleteId);
    let activitiesDeleted = 0;
    if (options.keepDerived) await forgetStravaRawData(trx, athleteId);
    else activitiesDeleted = await deleteStravaActivities(trx, athleteId);
    const recomputeFrom = options.keepDerived || activitiesDeleted === 0 ? null : earliest;
    if (options.recompute !== false) await recomputePmc(trx, athleteId, recomputeFrom, now);
    return { activitiesDeleted, streamsDeleted, recomputeFrom };
  });
}
