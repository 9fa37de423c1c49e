import { type Db, inTransaction } from '../../db/connect.ts';
import { detachStravaDelivery, mergeStravaDelivery } from '../../imports/strava-merge.ts';
import { isValidTimeZone } from '../../lib/local-time.ts';
import { matchActivityToPlan, rematchDayAfterDelete } from '../../planning/match-activity.ts';
import {
  analyzeStoredActivity,
  refuseImplausibleStart,
  storeStreams,
  upsertStravaActivity,
} from '../activities/activity-store.ts';
import { recomputePmc } from '../activities/pmc-store.ts';
import type { RequestPriority } from '../rate-limit/budget.ts';
import type { StravaActivity } from '../strava-port.ts';
import type { SyncDeps } from './sync-deps.ts';

/**
 * Fetches an activity's streams (none for manual entries) and stores activity, streams and metrics in one
 * transaction. Idempotent: running it twice, concurrently or after a crash gives the same rows.
 * Returns the earliest local day whose PMC changed; `recompute: true` also recomputes the PMC from it.
 */
export async function syncStravaActivity(
  deps: SyncDeps,
  athleteId: string,
  activity: StravaActivity,
  options: { priority: RequestPriority; recompute: boolean; token?: string },
): Promise<{ activityId: string; changedFrom: string; created: boolean }> {
  // Refused before its streams are fetched: an implausible date costs no API call.
  refuseImplausibleStart(activity.startDate, deps.now());
  const token = options.token ?? (await deps.accessToken(athleteId));
  const streams = activity.manual ? null : await deps.api.getStreams(token, activity.id, options.priority);
  return inTransaction(deps.db, async (trx) => {
    // One writer per athlete at a time: concurrent syncs of one athlete's activities cannot interleave
    // their PMC rewrites.
    await trx
      .selectFrom('athletes')
      .select('id')
      .where('id', '=', athleteId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // The same workout uploaded as a file or imported from an export stays one activity.
    const merged = await mergeStravaDelivery(trx, deps.analyze, athleteId, activity, streams);
    if (merged) {
      await matchActivityToPlan(trx, merged.activityId, deps.logger);
      if (options.recompute) await recomputePmc(trx, deps.pmc, athleteId, merged.changedFrom, deps.now());
      return { ...merged, created: false };
    }
    await followActivityTimezone(trx, athleteId, activity);
    const stored = await upsertStravaActivity(trx, athleteId, activity);
    await storeStreams(trx, stored.id, streams);
    await analyzeStoredActivity(trx, deps.analyze, stored.id);
    // Pair it with the day's planned workout; failure-tolerant (a savepoint), logged, never fails the sync.
    await matchActivityToPlan(trx, stored.id, deps.logger);
    const changedFrom =
      stored.previousLocalDate && stored.previousLocalDate < stored.localDate
        ? stored.previousLocalDate
        : stored.localDate;
    if (options.recompute) await recomputePmc(trx, deps.pmc, athleteId, changedFrom, deps.now());
    return { activityId: stored.id, changedFrom, created: stored.created };
  });
}

/**
 * Deletes a Strava activity (webhook delete event) and recomputes the PMC from its day. Events are not
 * signed: only an activity of the event's owner is touched.
 */
export async function deleteStravaActivity(
  deps: SyncDeps,
  stravaId: string,
  ownerAthleteId: string,
): Promise<boolean> {
  return inTransaction(deps.db, async (trx) => {
    const activity = await trx
      .selectFrom('activities')
      .select(['id', 'athlete_id', 'local_date', 'source'])
      .where('strava_id', '=', stravaId)
      .where('athlete_id', '=', ownerAthleteId)
      .executeTakeFirst();
    if (!activity) return false;
    if (activity.source !== 'strava_api') {
      // The workout rests on a file the athlete gave us directly: deleting it on Strava detaches it only.
      await detachStravaDelivery(trx, activity.id, stravaId);
      return false;
    }
    await trx
      .selectFrom('athletes')
      .select('id')
      .where('id', '=', activity.athlete_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
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
