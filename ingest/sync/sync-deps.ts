import type { PgBoss } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../../lib/logger.ts';
import { type StravaApi, StravaUnauthorizedError } from '../strava-port.ts';

/** Everything the sync jobs need; built once per worker process. */
export interface SyncDeps {
  db: Db;
  boss: PgBoss;
  logger: Logger;
  api: StravaApi;
  /**
   * A valid access token for the athlete (refreshed once under a row lock when due). `rejectedToken`: the
   * token Strava just refused with a 401; a new one is fetched unless another job already did.
   */
  accessToken: (athleteId: string, rejectedToken?: string) => Promise<string>;
  now: () => Date;
}

/**
 * Runs `work` with the athlete's token; when Strava answers 401 to a token we still believe valid (it
 * expired early on Strava's clock, or was rotated elsewhere), refreshes once and runs it again. A missing
 * scope, or a second 401 with the new token, is a real refusal and is thrown.
 */
export async function withAccessToken<T>(
  deps: Pick<SyncDeps, 'accessToken'>,
  athleteId: string,
  work: (token: string) => Promise<T>,
  token?: string,
): Promise<T> {
  const first = token ?? (await deps.accessToken(athleteId));
  try {
    return await work(first);
  } catch (error) {
    if (!(error instanceof StravaUnauthorizedError) || error.missingScope) throw error;
    const renewed = await deps.accessToken(athleteId, first);
    if (renewed === first) throw error;
    return work(renewed);
  }
}
