import type { PgBoss } from 'pg-boss';
import type { AppContext } from '../app/context.ts';
import { startAppOnFakes } from './app-on-fakes.ts';
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
  const app = await startAppOnFakes({
    database,
    strava,
    webhookSecret,
    verifyToken,
    ...(options.env ? { env: options.env } : {}),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  return {
    database,
    strava,
    boss: app.boss,
    ctx: app.ctx,
    baseUrl: app.baseUrl,
    startWorkers: app.startWorkers,
    stop: async () => {
      await app.stop();
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
