import { createServer } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { buildAppContext } from '../app/build-context.ts';
import type { AppContext } from '../app/context.ts';
import { startWorkers } from '../app/job-runner.ts';
import { jobDefinitions } from '../app/jobs.ts';
import { webRouters } from '../app/web-routers.ts';
import { createWebService } from '../app/web-service.ts';
import { loadConfig } from '../lib/config.ts';
import { generateFernetKey } from '../lib/fernet.ts';
import { createLogger } from '../lib/logger.ts';
import { startTestBoss } from './boss.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { type StravaFake, startStravaFake } from './fakes/strava/strava-fake.ts';

export const webhookSecret = 'test-webhook-secret-0123456789';
export const verifyToken = 'test-verify-token';

export interface Harness {
  database: TestDatabase;
  strava: StravaFake;
  boss: PgBoss;
  ctx: AppContext;
  baseUrl: string;
  /** Starts pg-boss workers for every job kind (the worker process). */
  startWorkers: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The real application (web routes, jobs, Strava client) on a test database, talking to the Strava fake.
 * The fake's clock is the application's clock, so tests can fast-forward both.
 */
export async function startHarness(
  options: { env?: Record<string, string>; fakeNow?: Date } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const strava = await startStravaFake(options.fakeNow ? { now: options.fakeNow } : {});
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    STRAVA_CLIENT_ID: strava.clientId,
    STRAVA_CLIENT_SECRET: strava.clientSecret,
    STRAVA_WEBHOOK_SECRET: webhookSecret,
    STRAVA_VERIFY_TOKEN: verifyToken,
    STRAVA_API_URL: strava.apiUrl,
    STRAVA_OAUTH_URL: strava.oauthUrl,
    TOKEN_ENCRYPTION_KEY: generateFernetKey(),
    ...options.env,
  });
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const boss = await startTestBoss(database.url, jobDefinitions);
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
    database,
    strava,
    boss,
    ctx,
    baseUrl,
    startWorkers: () => startWorkers(boss, jobDefinitions, ctx, logger),
    stop: async () => {
      await web.stop();
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
      await strava.close();
      await database.drop();
    },
  };
}

/** Resolves when `check` returns a truthy value; polls every 50 ms; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Follows the browser's path through the connect link: our redirect, Strava's authorize, the callback. */
export async function connectThroughBrowser(
  connectUrl: string,
): Promise<{ status: number; body: string; callbackUrl: string | null }> {
  const ours = await fetch(connectUrl, { redirect: 'manual' });
  if (ours.status !== 302) return { status: ours.status, body: await ours.text(), callbackUrl: null };
  const atStrava = await fetch(ours.headers.get('location')!, { redirect: 'manual' });
  const callbackUrl = atStrava.headers.get('location');
  if (!callbackUrl) return { status: atStrava.status, body: await atStrava.text(), callbackUrl: null };
  const back = await fetch(callbackUrl);
  return { status: back.status, body: await back.text(), callbackUrl };
}

function freePort(): Promise<number> {
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
