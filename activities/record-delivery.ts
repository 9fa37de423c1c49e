import { type Db, inTransaction } from '../db/connect.ts';
import { lockAthlete } from '../db/queries/athletes.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { isValidTimeZone } from '../lib/local-time.ts';
import type { Logger } from '../lib/logger.ts';
import { analyzeStoredActivity, storeStreams, upsertStravaActivity } from './activity-store.ts';
import type { ActivityAnalyzer } from './analyzer-port.ts';
import { matchActivityToPlan, rematchDayAfterDelete } from './match-activity.ts';
import { type PmcCompute, recomputePmc } from './pmc-store.ts';
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

/** What the write path needs: the database, the metrics engine as it calls it, the clock and a logger. */
export interface ActivityDeps {
  db: Db;
  analyze: ActivityAnalyzer;
  pmc: PmcCompute;
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
  /** False for a bulk import: it recomputes the PMC once at the end (`recomputeFrom`). Default true. */
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
    const stored = await store(trx, deps, athlete, delivery);
    const changed = (Array.isArray(stored) ? stored : [stored]).filter((one) => one.changedFrom !== null);
    // Like every delivery, a new or changed activity is paired with the day's planned workout
    // (failure-tolerant: a savepoint, logged, never fails the delivery).
    for (const one of changed) await matchActivityToPlan(trx, one.activityId, deps.logger);
    const from = earliest(changed.map((one) => one.changedFrom));
    if (from && options.recompute !== false) await recomputePmc(trx, deps.pmc, athlete.id, from, deps.now());
    return stored;
  });
}

async function store(
  trx: Db,
  deps: ActivityDeps,
  athlete: AthleteRow | Pick<AthleteRow, 'id'>,
  delivery: Delivery,
): Promise<StravaRecorded | StoredFileActivity | StoredFileActivity[]> {
  switch (delivery.kind) {
    case 'strava':
      return storeStravaDelivery(trx, deps.analyze, athlete.id, delivery);
    case 'file':
      return storeActivityFile(trx, deps.analyze, athlete as AthleteRow, delivery.file);
    case 'legs':
      return storeActivityFileLegs(trx, deps.analyze, athlete as AthleteRow, delivery.file);
    case 'csv':
      return storeCsvActivity(trx, deps.analyze, athlete as AthleteRow, delivery.row, delivery.sourceRef);
  }
}

async function storeStravaDelivery(
  trx: Db,
  analyze: ActivityAnalyzer,
  athleteId: string,
  { activity, streams }: StravaDelivery,
): Promise<StravaRecorded> {
  // The same workout uploaded as a file or imported from an export stays one activity.
  const merged = await mergeStravaDelivery(trx, analyze, athleteId, activity, streams);
  if (merged) return { ...merged, created: false };
  await followActivityTimezone(trx, athleteId, activity);
  const stored = await upsertStravaActivity(trx, athleteId, activity);
  await storeStreams(trx, stored.id, streams);
  await analyzeStoredActivity(trx, analyze, stored.id);
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
    const activity = await trx
      .selectFrom('activities')
      .select(['id', 'athlete_id', 'local_date', 'source'])
      .where('strava_id', '=', delivery.stravaId)
      .where('athlete_id', '=', delivery.ownerAthleteId)
      .executeTakeFirst();
    if (!activity) return false;
    if (activity.source !== 'strava_api') {
      await detachStravaDelivery(trx, activity.id, delivery.stravaId);
      return false;
    }
    await lockAthlete(trx, activity.athlete_id);
    await trx.deleteFrom('activities').where('id', '=', activity.id).execute();
    await rematchDayAfterDelete(trx, activity.athlete_id, activity.local_date, deps.logger);
    await recomputePmc(trx, deps.pmc, activity.athlete_id, activity.local_date, deps.now());
    return true;
  });
}

/**
 * Until the athlete picks a time zone, it follows their newest activity's (Strava reports one per
 * activity): the digest hour and "today" are then theirs without asking. An older activity never moves it.
 */
async function followActivityTimezone(db: Db, athleteId: string, activity: StravaActivity): Promise<void> {
  const zone = activity.timezone;
  if (!zone || !isValidTimeZone(zone)) return;
  await db
    .updateTable('athletes')
    .set({ timezone: zone, updated_at: new Date() })
    .where('id', '=', athleteId)
    .where('timezone_chosen', '=', false)
    .where('timezone', '!=', zone)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('activities')
            .select('activities.id')
            .where('activities.athlete_id', '=', athleteId)
            .where('activities.source', '=', 'strava_api')
            .where('activities.start_date', '>', activity.startDate),
        ),
      ),
    )
    .execute();
}

function earliest(days: (string | null)[]): string | null {
  let first: string | null = null;
  for (const day of days) if (day !== null && (first === null || day < first)) first = day;
  return first;
}
