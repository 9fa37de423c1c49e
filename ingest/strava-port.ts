import type { StravaActivity } from '../activities/strava-activity.ts';
import type { RequestPriority } from './rate-limit/budget.ts';

// The activity itself is what activities/ stores; the Strava edge hands it over in this shape.
export type { StravaActivity };

/**
 * The Strava API as the jobs use it. The implementation counts every request against the shared
 * rate-limit budget before sending it (throwing `RateLimitWaitError` instead of sending one Strava would
 * refuse), retries 5xx and timeouts, and validates responses with zod.
 */
export interface StravaApi {
  listActivities: (
    accessToken: string,
    query: { page: number; perPage: number; before?: number; after?: number },
    priority: RequestPriority,
  ) => Promise<StravaActivity[]>;
  getActivity: (accessToken: string, id: string, priority: RequestPriority) => Promise<StravaActivity>;
  /** Null when Strava has no streams for it (404: manual activity, or deleted meanwhile). */
  getStreams: (
    accessToken: string,
    id: string,
    priority: RequestPriority,
  ) => Promise<Record<string, unknown> | null>;
}

/**
 * Strava refused the token: expired earlier than we thought, revoked, or (`missingScope`) granted without
 * `activity:read_all`, which no refresh can add.
 */
export class StravaUnauthorizedError extends Error {
  override name = 'StravaUnauthorizedError';
  constructor(
    message: string,
    readonly missingScope = false,
  ) {
    super(message);
  }
}

/** Strava says the activity does not exist (deleted, or not visible with this token). */
export class StravaNotFoundError extends Error {
  override name = 'StravaNotFoundError';
}
