import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/connect.ts';
import type { Config } from '../lib/config.ts';
import { createFernet } from '../lib/fernet.ts';
import type { Logger } from '../lib/logger.ts';
import type { StravaOAuthPort, TokenCipher } from './connect/oauth-port.ts';
import { createPostgresGate, type RateLimitGate } from './rate-limit/postgres-gate.ts';
import { createStravaClient, type StravaClient } from './strava-client.ts';
import type { SyncDeps } from './sync/sync-deps.ts';
import { getAccessToken } from './tokens/access-tokens.ts';

/** Strava OAuth, token encryption, the shared rate-limit gate, the sync's dependencies and the client. */
export interface StravaServices {
  oauth: StravaOAuthPort;
  cipher: TokenCipher;
  gate: RateLimitGate;
  sync: SyncDeps;
  client: StravaClient;
}

/**
 * What Strava's web routes and jobs are handed (the process's context satisfies it): built once per
 * process. Declared here, at the edge, so ingest/ never imports the wiring above it (app/).
 */
export interface IngestContext {
  config: Config;
  logger: Logger;
  db: Db;
  boss: PgBoss;
  /** Null when Strava is not configured. */
  strava: StravaServices | null;
  /** The clock (tests simulate days with it). */
  now: () => Date;
}

/** Strava's side of the product, wired from configuration; null when Strava is not configured. */
export function createStravaServices(options: {
  config: Config;
  db: Db;
  boss: PgBoss;
  logger: Logger;
  now: () => Date;
  /** Tests shorten Strava's retry backoff. */
  retryBaseDelayMs?: number;
}): StravaServices | null {
  const { config, db, boss, logger, now } = options;
  if (!config.strava || !config.tokenEncryptionKeys) return null;
  const fernet = createFernet(config.tokenEncryptionKeys);
  const cipher = {
    encrypt: (text: string) => fernet.encrypt(text),
    decrypt: (token: string) => fernet.decrypt(token),
  };
  const gate = createPostgresGate(db, now);
  const client = createStravaClient({
    apiUrl: config.strava.apiUrl,
    oauthUrl: config.strava.oauthUrl,
    clientId: config.strava.clientId,
    clientSecret: config.strava.clientSecret,
    gate,
    now,
    ...(options.retryBaseDelayMs !== undefined ? { baseDelayMs: options.retryBaseDelayMs } : {}),
  });
  const log = logger.child({ subsystem: 'strava' });
  return {
    oauth: client.oauth,
    cipher,
    gate,
    client,
    sync: {
      db,
      boss,
      logger: log,
      api: client.api,
      accessToken: (athleteId, rejectedToken) =>
        getAccessToken(
          { db, boss, cipher, refresher: client.refresher, logger: log },
          athleteId,
          now,
          rejectedToken,
        ),
      now,
    },
  };
}
