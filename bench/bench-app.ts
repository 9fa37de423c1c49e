import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PgBoss } from 'pg-boss';
import { buildAppContext } from '../app/build-context.ts';
import type { AppContext } from '../app/context.ts';
import { createBoss, createQueues, startWorkers } from '../app/job-runner.ts';
import { jobDefinitions } from '../app/jobs.ts';
import { webRouters } from '../app/web-routers.ts';
import { createWebService } from '../app/web-service.ts';
import { connectDb, type DbHandle } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { loadConfig } from '../lib/config.ts';
import { generateFernetKey } from '../lib/fernet.ts';
import { createLogger } from '../lib/logger.ts';
import { type DiscordFake, startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { type StravaFake, startStravaFake } from '../test/fakes/strava/strava-fake.ts';

export const benchWebhookSecret = 'bench-webhook-secret-0123456789';
export const benchVerifyToken = 'bench-verify-token';

export interface BenchApp {
  database: DbHandle & { url: string };
  strava: StravaFake;
  discord: DiscordFake;
  boss: PgBoss;
  ctx: AppContext;
  baseUrl: string;
  startWorkers: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The real application against the in-repo fakes, on a scratch database: on the server of
 * BENCH_DATABASE_URL (or DATABASE_URL) when set, else on an embedded PostgreSQL in a temporary folder.
 * Everything is removed on stop.
 */
export async function startBenchApp(): Promise<BenchApp> {
  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  let embeddedStop: (() => Promise<void>) | null = null;
  let tempDir: string | null = null;
  if (!serverUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'threshold-bench-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'data') });
    serverUrl = embedded.url;
    embeddedStop = embedded.stop;
  }
  const name = `threshold_bench_${randomBytes(4).toString('hex')}`;
  const admin = connectDb(serverUrl, { max: 1 });
  await admin.pool.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = { ...connectDb(url.toString(), { max: 20 }), url: url.toString() };
  await migrateToLatest(database.db);

  const strava = await startStravaFake();
  const discord = await startDiscordFake({ token: 'bench-bot-token', quiet: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    STRAVA_CLIENT_ID: strava.clientId,
    STRAVA_CLIENT_SECRET: strava.clientSecret,
    STRAVA_WEBHOOK_SECRET: benchWebhookSecret,
    STRAVA_VERIFY_TOKEN: benchVerifyToken,
    STRAVA_API_URL: strava.apiUrl,
    STRAVA_OAUTH_URL: strava.oauthUrl,
    TOKEN_ENCRYPTION_KEY: generateFernetKey(),
    DISCORD_TOKEN: 'bench-bot-token',
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
  });
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  const boss = createBoss(database.url, logger, { max: 8 });
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
    database,
    strava,
    discord,
    boss,
    ctx,
    baseUrl,
    startWorkers: () => startWorkers(boss, jobDefinitions, ctx, logger),
    stop: async () => {
      await web.stop();
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
      await strava.close();
      await discord.close();
      await database.close();
      await admin.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
      await embeddedStop?.();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

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
