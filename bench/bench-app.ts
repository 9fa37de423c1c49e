import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PgBoss } from 'pg-boss';
import type { AppContext } from '../app/context.ts';
import { connectDb, type DbHandle } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startAppOnFakes } from '../test/context.ts';
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
  const scratch = await createScratchDatabase();
  const database = { ...connectDb(scratch.url, { max: 20 }), url: scratch.url };
  await migrateToLatest(database.db);

  const strava = await startStravaFake();
  const discord = await startDiscordFake({ token: 'bench-bot-token', quiet: true });
  const app = await startAppOnFakes({
    database,
    strava,
    webhookSecret: benchWebhookSecret,
    verifyToken: benchVerifyToken,
    env: { DISCORD_TOKEN: 'bench-bot-token', DISCORD_APP_ID: discord.appId, DISCORD_API_URL: discord.apiUrl },
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'silent',
  });
  return {
    database,
    strava,
    discord,
    boss: app.boss,
    ctx: app.ctx,
    baseUrl: app.baseUrl,
    startWorkers: app.startWorkers,
    stop: async () => {
      await app.stop();
      await strava.close();
      await discord.close();
      await database.close();
      await scratch.drop();
    },
  };
}

/**
 * A new empty database on the server of BENCH_DATABASE_URL (or DATABASE_URL) when set, else on an
 * embedded PostgreSQL in a temporary folder; `drop` removes it (and the embedded server).
 */
export async function createScratchDatabase(): Promise<{
  url: string;
  server: 'server' | 'embedded';
  drop: () => Promise<void>;
}> {
  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  const server = serverUrl ? 'server' : 'embedded';
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
  return {
    url: url.toString(),
    server,
    drop: async () => {
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
