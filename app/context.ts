import type { PgBoss } from 'pg-boss';
import type { ActivityAnalyzer } from '../activities/analyzer-port.ts';
import type { PmcCompute } from '../activities/pmc-store.ts';
import type { DmSender } from '../bot/dm-sender.ts';
import type { ChartRenderer } from '../charts/renderer.ts';
import type { Db } from '../db/connect.ts';
import type { StravaOAuthPort, TokenCipher } from '../ingest/connect/oauth-port.ts';
import type { RateLimitGate } from '../ingest/rate-limit/postgres-gate.ts';
import type { StravaClient } from '../ingest/strava-client.ts';
import type { SyncDeps } from '../ingest/sync/sync-deps.ts';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';

/** What every process part (web routes, job handlers, bot commands) is handed: built once per process. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  boss: PgBoss;
  /** Sends DMs over Discord's REST API; null when Discord is not configured. */
  dm: DmSender | null;
  /** Strava OAuth and token encryption; null when Strava is not configured. */
  strava: {
    oauth: StravaOAuthPort;
    cipher: TokenCipher;
    gate: RateLimitGate;
    sync: SyncDeps;
    client: StravaClient;
  } | null;
  /** The metrics engine, as the pipeline calls it. */
  analyze: ActivityAnalyzer;
  pmc: PmcCompute;
  /** Chart configurations to PNG: in process, or through QuickChart when QUICKCHART_URL is set. */
  charts: ChartRenderer;
  /** The clock (tests simulate days with it). */
  now: () => Date;
}
