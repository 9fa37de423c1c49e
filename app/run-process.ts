import dotenv from 'dotenv';
import { type Config, ConfigError, describeDisabled, loadConfig } from '../lib/config.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { createBot } from './bot.ts';
import { buildAppContext } from './build-context.ts';
import type { AppContext } from './context.ts';
import { installCrashGuard } from './crash-guard.ts';
import { type AppDatabase, openDatabase } from './database.ts';
import { createBoss, createQueues, releaseActiveJobs, startWorkers, syncSchedules } from './job-runner.ts';
import { jobDefinitions } from './jobs.ts';
import { webRouters } from './web-routers.ts';
import { createWebService, type Service, stopAll } from './web-service.ts';

export type ServiceName = 'web' | 'worker' | 'bot';

/** Loads .env (without overriding real environment variables) and parses the configuration. */
export function loadProcessConfig(): Config {
  dotenv.config({ quiet: true });
  return loadConfig(process.env);
}

/**
 * Runs the named services in this process until SIGINT/SIGTERM, then shuts down in order: stop taking
 * requests, let in-flight jobs finish (pg-boss graceful stop), close Discord, close the pool, stop an
 * embedded Postgres. `npm start` runs all three on the embedded default.
 */
export async function runProcess(names: ServiceName[]): Promise<number> {
  let config: Config;
  try {
    config = loadProcessConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  // Settles with the exit code once a signal or an unexpected error outside any job asks to stop.
  let requestStop: (reason: string, code: number) => void = () => {};
  const stopRequested = new Promise<{ reason: string; code: number }>((resolve) => {
    let requested = false;
    requestStop = (reason, code) => {
      if (requested) return;
      requested = true;
      resolve({ reason, code });
    };
  });
  // An error escaping a job fails that job; one outside any job stops this process (its supervisor
  // restarts it) instead of leaving it in an unknown state.
  const uninstallGuard = installCrashGuard(logger, () => requestStop('unexpected error', 1));
  const started: Service[] = [];
  let database: AppDatabase | null = null;
  const shutdown = async (reason: string) => {
    logger.info({ reason }, 'shutting down');
    await stopAll(started, logger);
    if (database)
      await database.close().catch((error) => logger.error({ err: error }, 'database close failed'));
  };
  try {
    database = await openDatabase(config, logger);
    const db = database;
    started.push({ name: 'database', start: async () => {}, stop: async () => {} });
    const boss = createBoss(db.url, logger);
    await boss.start();
    started.push({
      name: 'jobs',
      start: async () => {},
      stop: async () => {
        await boss.stop({ graceful: true, timeout: 30_000 });
        // Jobs still running after the grace period were interrupted, not crashed: they resume uncounted.
        await releaseActiveJobs();
      },
    });
    await createQueues(boss, jobDefinitions);
    const ctx = buildAppContext({ config, logger, db: db.db, boss });
    for (const service of buildServices(names, ctx)) {
      await service.start();
      started.push(service);
      logger.info({ service: service.name }, 'started');
    }
    // Under `npm start` the supervisor announces once for all services.
    if (!process.env.THRESHOLD_SUPERVISED) announce(config, names, logger);
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    await shutdown('start failed');
    uninstallGuard();
    return 1;
  }
  const onSignal = (signal: NodeJS.Signals) => requestStop(signal, 0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A supervised service whose supervisor is gone (killed) stops too rather than run orphaned.
  const onOrphaned = () => requestStop('supervisor gone', 0);
  process.once('disconnect', onOrphaned);
  const { reason, code } = await stopRequested;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('disconnect', onOrphaned);
  await shutdown(reason);
  uninstallGuard();
  return code;
}

function buildServices(names: ServiceName[], ctx: AppContext): Service[] {
  const services: Service[] = [];
  if (names.includes('worker')) {
    services.push({
      name: 'worker',
      start: async () => {
        await syncSchedules(ctx.boss, jobDefinitions);
        await startWorkers(ctx.boss, jobDefinitions, ctx, ctx.logger);
      },
      stop: async () => {},
    });
  }
  if (names.includes('web')) {
    services.push(
      createWebService({ db: ctx.db, logger: ctx.logger, port: ctx.config.port, routers: webRouters(ctx) }),
    );
  }
  if (names.includes('bot') && ctx.config.discord) services.push(createBot(ctx));
  return services;
}

/** Says once what runs and which features are off, with the variables that turn them on. */
export function announce(config: Config, names: ServiceName[], logger: Logger): void {
  const lines = [
    // The bot counts as running only when Discord is configured; the "off" lines say what it needs.
    `Threshold is running: ${names.filter((name) => name !== 'bot' || config.discord).join(', ')}`,
    names.includes('web') ? `  web: ${config.publicUrl} (health: /healthz, readiness: /readyz)` : null,
    config.databaseUrl ? '  database: DATABASE_URL' : '  database: embedded PostgreSQL in .data/postgres',
    ...describeDisabled(config).map((line) => `  off — ${line}`),
  ].filter((line): line is string => line !== null);
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info(
    {
      services: names.filter((name) => name !== 'bot' || config.discord),
      disabled: config.disabled.map((d) => d.feature),
    },
    'ready',
  );
}
