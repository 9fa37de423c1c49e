import type { PgBoss } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../../lib/logger.ts';
import type { ActivityAnalyzer } from '../activities/analyzer-port.ts';
import type { PmcCompute } from '../activities/pmc-store.ts';
import type { StravaApi } from '../strava-port.ts';

/** Everything the sync jobs need; built once per worker process. */
export interface SyncDeps {
  db: Db;
  boss: PgBoss;
  logger: Logger;
  api: StravaApi;
  /** A valid access token for the athlete (refreshed once under a row lock when due). */
  accessToken: (athleteId: string) => Promise<string>;
  analyze: ActivityAnalyzer;
  pmc: PmcCompute;
  now: () => Date;
}
