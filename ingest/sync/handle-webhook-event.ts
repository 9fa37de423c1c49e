import { findAthleteByStravaId } from '../../db/queries/athletes.ts';
import { findConnection } from '../../db/queries/strava-connections.ts';
import { queueWorkoutMessage } from '../../db/queries/workout-messages.ts';
import type { WebhookEventRow } from '../../db/tables/webhook-events.ts';
import { AppError } from '../../lib/errors.ts';
import { jobNames, priorities, workoutMessageDelaySeconds } from '../../lib/jobs/job-names.ts';
import { StravaNotFoundError, StravaUnauthorizedError } from '../strava-port.ts';
import { deleteStravaActivity, syncStravaActivity } from './sync-activity.ts';
import { type SyncDeps, withAccessToken } from './sync-deps.ts';

export type WebhookOutcome = { status: 'done' | 'ignored'; detail: string };

/**
 * Acts on one stored Strava event. Events are not signed, so nothing in them is trusted beyond ids:
 * the activity is always refetched with its owner's token. `onDeauthorized` disconnects the athlete.
 */
export async function handleWebhookEvent(
  deps: SyncDeps,
  event: WebhookEventRow,
  onDeauthorized: (athleteId: string) => Promise<void>,
): Promise<WebhookOutcome> {
  const athlete = await findAthleteByStravaId(deps.db, event.owner_id);
  if (!athlete) return { status: 'ignored', detail: 'unknown athlete' };
  if (event.object_type === 'athlete') {
    if (event.aspect_type === 'update' && event.updates.authorized === 'false') {
      await onDeauthorized(athlete.id);
      return { status: 'done', detail: 'deauthorized' };
    }
    return { status: 'ignored', detail: 'athlete event without deauthorization' };
  }
  if (event.aspect_type === 'delete') {
    const deleted = await deleteStravaActivity(deps, event.object_id, athlete.id);
    return {
      status: deleted ? 'done' : 'ignored',
      detail: deleted ? 'activity deleted' : 'activity not stored',
    };
  }
  const connection = await findConnection(deps.db, athlete.id);
  if (!connection) return { status: 'ignored', detail: 'athlete not connected' };
  try {
    // Title, type and privacy changes arrive as updates: the refetch picks them up, and a type change is
    // re-analysed with the new sport.
    const synced = await withAccessToken(deps, athlete.id, async (token) => {
      const activity = await deps.api.getActivity(token, event.object_id, 'live');
      return syncStravaActivity(deps, athlete.id, activity, { priority: 'live', recompute: true, token });
    });
    // A new workout gets its message, queued once per activity however many events arrive. A create event
    // queues it too, so a retry of an event that failed after storing the activity still does.
    if (
      (synced.created || event.aspect_type === 'create') &&
      (await queueWorkoutMessage(deps.db, athlete.id, synced.activityId))
    )
      await deps.boss.send(
        jobNames.workoutMessage,
        { athleteId: athlete.id },
        { startAfter: workoutMessageDelaySeconds, priority: priorities.live },
      );
    return { status: 'done', detail: `activity ${event.aspect_type}d` };
  } catch (error) {
    if (error instanceof StravaNotFoundError) {
      // Gone already (deleted right after saving) or made invisible: drop any copy we hold.
      await deleteStravaActivity(deps, event.object_id, athlete.id);
      return { status: 'ignored', detail: 'activity not found on Strava' };
    }
    // Retrying cannot help: the athlete must reconnect (they are told once), or a deauthorization follows.
    if (error instanceof StravaUnauthorizedError)
      return { status: 'ignored', detail: `Strava refused the token: ${error.message}` };
    if (error instanceof AppError && (error.code === 'needs_reauth' || error.code === 'not_connected'))
      return { status: 'ignored', detail: error.message };
    // Refused as it is (an implausible date): retrying cannot change it.
    if (error instanceof AppError && error.code === 'bad_request')
      return { status: 'ignored', detail: error.message };
    throw error;
  }
}
