import { createServer } from 'node:net';
import type { PgBoss } from 'pg-boss';
import type { DestinationStream } from 'pino';
import { buildAppContext } from '../app/build-context.ts';
import type { AppContext } from '../app/context.ts';
import { createBoss, createQueues, startWorkers } from '../app/job-runner.ts';
import { jobDefinitions } from '../app/jobs.ts';
import { webRouters } from '../app/web-routers.ts';
import { createWebService } from '../app/web-service.ts';
import type { Db } from '../db/connect.ts';
import { loadConfig } from '../lib/config.ts';
import { generateFernetKey } from '../lib/fernet.ts';
import { createLogger } from '../lib/logger.ts';
import type { StravaFake } from './fakes/strava/strava-fake.ts';

export interface AppOnFakes {
  boss: PgBoss;
  ctx: AppContext;
  baseUrl: string;
  /** Starts pg-boss workers for every job kind (the worker process). */
  startWorkers: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The real application (configuration, pg-boss, web routes, every service) on a migrated database, with
 * Strava pointed at the fake; `env` adds settings (Discord, OpenAI, ...). The fake's clock is the app's.
 */
export async function startAppOnFakes(options: {
  database: { db: Db; url: string };
  strava: StravaFake;
  webhookSecret: string;
  verifyToken: string;
  env?: Record<string, string>;
  logLevel?: string;
  /** Where the application's log lines go (tests that read them); stdout by default. */
  logDestination?: DestinationStream;
}): Promise<AppOnFakes> {
  const { database, strava } = options;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    STRAVA_CLIENT_ID: strava.clientId,
    STRAVA_CLIENT_SECRET: strava.clientSecret,
    STRAVA_WEBHOOK_SECRET: options.webhookSecret,
    STRAVA_VERIFY_TOKEN: options.verifyToken,
    STRAVA_API_URL: strava.apiUrl,
    STRAVA_OAUTH_URL: strava.oauthUrl,
    TOKEN_ENCRYPTION_KEY: generateFernetKey(),
    ...options.env,
  });
  const logger = createLogger({
    level: options.logLevel ?? 'silent',
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const boss = createBoss(database.url, createLogger({ level: 'silent' }), { max: 4 });
  await boss.start();
  await createQueues(boss, jobDefinitions);
  const ctx = buildAppContext({
    config,
    logger,
    db: database.db,
    boss,
    now: strava.now,
    retryBaseDelayMs: 5,
  });
  const web = createWebService({
    db: database.db,
    logger,
    port,
    host: '127.0.0.1',
    routers: webRouters(ctx),
  });
  await web.start();
  return {
    boss,
    ctx,
    baseUrl,
    startWorkers: () => startWorkers(boss, jobDefinitions, ctx, logger),
    stop: async () => {
      await web.stop();
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
