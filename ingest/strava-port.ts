import type { RequestPriority } from './rate-limit/budget.ts';

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

/** The fields of a Strava activity (summary or detail) the product uses. */
export interface StravaActivity {
  id: string;
  name: string;
  sportType: string;
  startDate: Date;
  /** Local wall-clock time, 'YYYY-MM-DD HH:MM:SS' (Strava's start_date_local without its misleading Z). */
  startDateLocal: string;
  timezone: string | null;
  distanceM: number | null;
  movingTimeS: number | null;
  elapsedTimeS: number | null;
  elevationGainM: number | null;
  manual: boolean;
  private: boolean;
  /** Strava's JSON as received, kept for provenance and re-analysis. */
  raw: Record<string, unknown>;
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
