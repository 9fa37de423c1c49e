import { refuseImplausibleStart } from '../../activities/activity-store.ts';
import { recordDelivery, removeDelivery } from '../../activities/record-delivery.ts';
import type { RequestPriority } from '../rate-limit/budget.ts';
import type { StravaActivity } from '../strava-port.ts';
import type { SyncDeps } from './sync-deps.ts';

/**
 * Fetches an activity's streams (none for manual entries) and records it (activities/record-delivery.ts:
 * activity, streams and metrics in one transaction). Idempotent: running it twice, concurrently or after a
 * crash gives the same rows. Returns the earliest local day whose PMC changed; `recompute: true` also
 * recomputes the PMC from it.
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
  return recordDelivery(
    deps,
    { id: athleteId },
    { kind: 'strava', activity, streams },
    { recompute: options.recompute },
  );
}

/**
 * Deletes a Strava activity (webhook delete event) and recomputes the PMC from its day. Events are not
 * signed: only an activity of the event's owner is touched.
 */
export function deleteStravaActivity(
  deps: SyncDeps,
  stravaId: string,
  ownerAthleteId: string,
): Promise<boolean> {
  return removeDelivery(deps, { kind: 'strava', stravaId, ownerAthleteId });
}
