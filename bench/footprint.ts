import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBoss } from '../app/job-runner.ts';
import { connectDb } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { startSync } from '../ingest/sync/start-sync.ts';
import { jobNames, priorities } from '../lib/jobs/job-names.ts';
import { createLogger } from '../lib/logger.ts';
import { type AppProcess, fakeEnv, spawnApp } from '../test/app-process.ts';
import { freePort } from '../test/context.ts';
import { startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { startStravaFake } from '../test/fakes/strava/strava-fake.ts';
import { createScratchDatabase, round } from './bench-app.ts';

const idleSeconds = 5;
const burstActivities = 200;
const webhookSecret = 'footprint-webhook-secret-0123456789';
const roles = [['web'], ['worker'], ['bot'], ['web', 'worker', 'bot']] as const;
const targetsMb = {
  web: 100,
  worker: 120,
  bot: 120,
  all: 180,
  all_after_burst: 250,
  startup_to_readyz_ms: 1000,
};

/**
 * Memory of each process shape as Compose and `npm start` run it, from the compiled build (what
 * production runs): idle resident memory after start-up, then the all-in-one process after it imported
 * and re-analysed 200 one-hour activities. Also the time from spawning a web process to its first
 * 200 from /readyz (database already up and migrated), compiled and through tsx.
 */
export async function run(): Promise<Record<string, unknown>> {
  const loadAtStart = loadavg()[0] ?? 0;
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const scratch = await createScratchDatabase();
  const database = connectDb(scratch.url, { max: 2 });
  await migrateToLatest(database.db);
  const strava = await startStravaFake();
  const discord = await startDiscordFake({ token: 'fake-bot-token', quiet: true });
  strava.setLimits({ overall15: 1e9, overallDay: 1e9, read15: 1e9, readDay: 1e9 });
  const tokenKey = (await import('../lib/fernet.ts')).generateFernetKey();
  const envFor = async () => {
    const port = await freePort();
    return {
      port,
      env: fakeEnv({
        databaseUrl: scratch.url,
        port,
        strava,
        discord,
        webhookSecret,
        verifyToken: 'footprint-verify',
        tokenKey,
      }),
    };
  };
  const processes: AppProcess[] = [];
  try {
    // The first start on a fresh database creates the job queues; later starts find them.
    const startup: Record<string, number> = {};
    for (const [name, compiled] of [
      ['compiled_first_ms', true],
      ['compiled_ms', true],
      ['compiled_again_ms', true],
      ['tsx_ms', false],
    ] as const) {
      const { port, env } = await envFor();
      const started = performance.now();
      const app = spawnApp({ services: ['web'], env, compiled });
      processes.push(app);
      await untilReady(port);
      startup[name] = round(performance.now() - started, 0);
      await app.stop();
    }

    const idle: Record<string, { rss_mb: number; peak_mb: number }> = {};
    for (const services of roles) {
      const { env } = await envFor();
      const app = spawnApp({ services: [...services], env, compiled: true });
      processes.push(app);
      await app.ready;
      await sleep(idleSeconds * 1000);
      idle[services.length > 1 ? 'all' : services[0]!] = megabytes(app.memory());
      await app.stop();
    }

    const { port, env } = await envFor();
    const app = spawnApp({ services: ['web', 'worker', 'bot'], env, compiled: true });
    processes.push(app);
    await app.ready;
    const burst = await importAndReanalyse(app, database.db, scratch.url, strava, port);
    const after = megabytes(app.memory());
    await app.stop();
    return {
      host: { cpus: availableParallelism(), load_1m_at_start: round(loadAtStart, 2) },
      database: scratch.server,
      startup_to_readyz: startup,
      idle_after_s: idleSeconds,
      idle,
      after_burst: { ...burst, ...after },
      targets_mb: targetsMb,
    };
  } finally {
    for (const app of processes) await app.stop('SIGKILL');
    await strava.close();
    await discord.close();
    await database.close();
    await scratch.drop();
  }
}

/** Connects an athlete with 200 activities, backfills them all, then re-analyses the whole history. */
async function importAndReanalyse(
  app: AppProcess,
  db: ReturnType<typeof connectDb>['db'],
  databaseUrl: string,
  strava: Awaited<ReturnType<typeof startStravaFake>>,
  port: number,
) {
  const athlete = strava.addAthlete();
  strava.addHistory(athlete.id, burstActivities);
  strava.authorizeAs(athlete.id);
  const { url } = await createConnectLink(db, `http://127.0.0.1:${port}`, '650000000000000001');
  const ours = await fetch(url, { redirect: 'manual' });
  const atStrava = await fetch(ours.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(atStrava.headers.get('location') ?? '');
  await callback.body?.cancel();
  if (callback.status !== 200) throw new Error(`connect failed with ${callback.status}\n${app.output()}`);
  const { id: athleteId } = await db
    .selectFrom('athletes')
    .select('id')
    .where('discord_user_id', '=', '650000000000000001')
    .executeTakeFirstOrThrow();
  const boss = createBoss(databaseUrl, createLogger({ level: 'silent' }), { max: 2 });
  await boss.start();
  try {
    const started = performance.now();
    // The connection's own import (the latest 30) first; then the whole history, those 30 included.
    await until(async () => {
      const row = await db
        .selectFrom('sync_runs')
        .select('state')
        .where('athlete_id', '=', athleteId)
        .executeTakeFirst();
      return row?.state === 'done';
    }, 300_000);
    const { runId } = await startSync(db, boss, {
      athleteId,
      kind: 'backfill',
      count: burstActivities,
      updateExisting: true,
    });
    await until(async () => {
      const row = await db.selectFrom('sync_runs').select('state').where('id', '=', runId).executeTakeFirst();
      if (row?.state === 'failed') throw new Error('backfill failed');
      return row?.state === 'done';
    }, 300_000);
    const importSeconds = (performance.now() - started) / 1000;
    const run = await db
      .insertInto('recompute_runs')
      .values({ athlete_id: athleteId, from_date: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const reanalyseStarted = performance.now();
    await boss.send(
      jobNames.recompute,
      { athleteId, from: 'all', reanalyze: true, runId: run.id },
      { priority: priorities.interactive },
    );
    const done = await until(async () => {
      const row = await db
        .selectFrom('recompute_runs')
        .select(['state', 'total'])
        .where('id', '=', run.id)
        .executeTakeFirst();
      if (row?.state === 'failed') throw new Error('recompute failed');
      return row?.state === 'done' ? row : null;
    }, 300_000);
    const activities = await db
      .selectFrom('activities')
      .select(db.fn.countAll<number>().as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    return {
      activities: Number(activities.n),
      reanalysed: done.total,
      import_s: round(importSeconds, 1),
      reanalyse_s: round((performance.now() - reanalyseStarted) / 1000, 1),
    };
  } finally {
    await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
  }
}

async function untilReady(port: number): Promise<void> {
  await until(
    async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
    60_000,
    5,
  );
}

async function until<T>(check: () => Promise<T | null | false>, timeoutMs: number, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(pollMs);
  }
}

function megabytes(memory: { rssKb: number; peakKb: number }) {
  return { rss_mb: round(memory.rssKb / 1024, 1), peak_mb: round(memory.peakKb / 1024, 1) };
}
