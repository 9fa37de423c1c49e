import dotenv from 'dotenv';
import type { PgBoss } from 'pg-boss';
import { createLoginLink } from '../console/auth.ts';
import { type Config, ConfigError, describeDisabled, loadConfig } from '../lib/config.ts';
import { jobNames } from '../lib/jobs/job-names.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { type Service, stopAll } from '../lib/service.ts';
import type { AppContext } from './context.ts';
import { installCrashGuard } from './crash-guard.ts';
import { type AppDatabase, openDatabase } from './database.ts';

// Each service's modules load only in a process that runs it (dynamic imports below): a web process
// never loads discord.js, openai or the canvas, a worker never loads express. The job queue (pg-boss)
// and the context load while the database opens, and the supervisor, which imports this module for
// `announce`, never loads them.

export type ServiceName = 'web' | 'worker' | 'bot';

/** Loads .env (without overriding real environment variables) and parses the configuration. */
export function loadProcessConfig(): Config {
  dotenv.config({ quiet: true });
  return loadConfig(process.env);
}

/**
 * What a long-running process (the supervisor, or one running services) starts from: its configuration
 * and logger, or null once what is wrong with the configuration is written to stderr (the caller exits 1).
 * A person at a terminal reads human lines; containers and CI get JSON lines (a supervisor's children
 * inherit its terminal and decide the same).
 */
export function startProcessLogging(): { config: Config; logger: Logger; terminal: boolean } | null {
  let config: Config;
  try {
    config = loadProcessConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return null;
    }
    throw error;
  }
  const terminal = process.stdout.isTTY === true;
  return { config, logger: createLogger({ level: config.logLevel, pretty: terminal }), terminal };
}

/**
 * Runs the named services in this process until SIGINT/SIGTERM, then shuts down in order: stop taking
 * requests, let in-flight jobs finish (pg-boss graceful stop), close Discord, close the pool, stop an
 * embedded Postgres. `npm start` runs all three on the embedded default.
 */
export async function runProcess(names: ServiceName[]): Promise<number> {
  const starting = startProcessLogging();
  if (!starting) return 1;
  const { config, logger, terminal } = starting;
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
    const began = performance.now();
    // Start-up phases at debug, in ms since the process started (performance.now()'s origin), so the
    // module loading before this point shows too.
    const phase = (name: string) => {
      const cpu = process.cpuUsage();
      logger.debug(
        { sinceSpawnMs: Math.round(performance.now()), cpuMs: Math.round((cpu.user + cpu.system) / 1000) },
        name,
      );
    };
    phase('configuration loaded');
    // The services' modules load while the database opens and the queue starts.
    const modules = loadServiceModules(names, config.discord !== null);
    modules.catch(() => {});
    const runtime = Promise.all([import('./job-runner.ts'), import('./build-context.ts')]);
    runtime.catch(() => {});
    database = await openDatabase(config, logger);
    phase('database open and migrated');
    const db = database;
    started.push({ name: 'database', start: async () => {}, stop: async () => {} });
    const [jobRunner, { buildAppContext }] = await runtime;
    const { createBoss, releaseActiveJobs } = jobRunner;
    const boss = createBoss(db.url, logger, { worker: names.includes('worker') });
    await boss.start();
    phase('job queue started');
    started.push({
      name: 'jobs',
      start: async () => {},
      stop: async () => {
        await boss.stop({ graceful: true, timeout: 30_000 });
        // Jobs still running after the grace period were interrupted, not crashed: they resume uncounted.
        await releaseActiveJobs();
      },
    });
    await ensureQueues(boss, names.includes('worker'), jobRunner.createQueues);
    phase('queues ready');
    const ctx = buildAppContext({ config, logger, db: db.db, boss });
    const loaded = await modules;
    phase('service modules loaded');
    for (const service of buildServices(ctx, loaded, jobRunner)) {
      await service.start();
      phase(`${service.name} started`);
      started.push(service);
      logger.info({ service: service.name, ms: Math.round(performance.now() - began) }, 'started');
    }
    // A supervisor starts the other services once this one is up (supervisor.ts).
    if (process.env.THRESHOLD_SUPERVISED && process.connected) process.send?.({ type: 'ready' }, () => {});
    // Under `npm start` the supervisor announces once for all services (with the console's login link).
    if (!process.env.THRESHOLD_SUPERVISED) {
      // The console's one-time login link is shown only to the person at the terminal, never logged.
      const loginLink =
        names.includes('web') && terminal ? await createLoginLink(ctx.db, config.publicUrl) : null;
      announce(config, names, logger, terminal, loginLink);
    }
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

/**
 * Every process sends jobs, so every queue must exist. A worker creates (and updates) them from the job
 * definitions; a web or bot process loads those definitions, and with them every handler's modules,
 * only when some queue is still missing (a first start before any worker ran).
 */
async function ensureQueues(
  boss: PgBoss,
  worker: boolean,
  createQueues: JobRunner['createQueues'],
): Promise<void> {
  if (!worker) {
    const names: string[] = Object.values(jobNames);
    const existing = new Set((await boss.getQueues(names)).map((queue) => queue.name));
    if (names.every((name) => existing.has(name))) return;
  }
  const { jobDefinitions } = await import('./jobs.ts');
  await createQueues(boss, jobDefinitions);
}

/** The modules of the named services, and only those (the bot's only when Discord is configured). */
async function loadServiceModules(names: ServiceName[], discord: boolean) {
  const [jobs, webService, webRoutes, bot] = await Promise.all([
    names.includes('worker') ? import('./jobs.ts') : null,
    names.includes('web') ? import('./web-service.ts') : null,
    names.includes('web') ? import('./web-routers.ts') : null,
    names.includes('bot') && discord ? import('./bot.ts') : null,
  ]);
  return { jobs, webService, webRoutes, bot };
}

type JobRunner = typeof import('./job-runner.ts');

function buildServices(
  ctx: AppContext,
  modules: Awaited<ReturnType<typeof loadServiceModules>>,
  { startWorkers, syncSchedules }: JobRunner,
): Service[] {
  const services: Service[] = [];
  const { jobs, webService, webRoutes, bot } = modules;
  if (jobs) {
    services.push({
      name: 'worker',
      start: async () => {
        await syncSchedules(ctx.boss, jobs.jobDefinitions);
        await startWorkers(ctx.boss, jobs.jobDefinitions, ctx, ctx.logger);
      },
      stop: async () => {},
    });
  }
  if (webService && webRoutes) {
    services.push(
      webService.createWebService({
        db: ctx.db,
        logger: ctx.logger,
        port: ctx.config.port,
        routers: webRoutes.webRouters(ctx),
      }),
    );
  }
  if (bot && ctx.config.discord) services.push(bot.createBot(ctx));
  return services;
}

/** Says once what runs and which features are off, with the variables that turn them on. */
export function announce(
  config: Config,
  names: ServiceName[],
  logger: Logger,
  terminal: boolean,
  loginLink: string | null,
): void {
  const consoleLine = names.includes('web')
    ? loginLink
      ? `  console: ${loginLink}  (one-time login link, 24 h${config.console.password ? '; or CONSOLE_PASSWORD' : ''})`
      : `  console: ${config.publicUrl}/ (${config.console.password ? 'log in with CONSOLE_PASSWORD' : 'set CONSOLE_PASSWORD to log in, or start from a terminal for a one-time link'})`
    : null;
  const lines = [
    // The bot counts as running only when Discord is configured; the "off" lines say what it needs.
    `Threshold is running: ${names.filter((name) => name !== 'bot' || config.discord).join(', ')}`,
    consoleLine,
    names.includes('web') ? `  web: ${config.publicUrl} (health: /healthz, readiness: /readyz)` : null,
    config.databaseUrl ? '  database: DATABASE_URL' : '  database: embedded PostgreSQL in .data/postgres',
    ...describeDisabled(config).map((line) => `  off — ${line}`),
  ].filter((line): line is string => line !== null);
  // At a terminal the banner is the ready message; elsewhere stdout carries JSON lines only, so it is one.
  if (terminal) {
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  // The one line that says the process is up is written whatever LOG_LEVEL says (warn keeps logs quiet,
  // not silent about start-up): supervisors, tests and operators wait for it.
  logger.child({}, { level: 'info' }).info(
    {
      services: names.filter((name) => name !== 'bot' || config.discord),
      disabled: config.disabled.map((d) => d.feature),
      ...(names.includes('web') ? { console: `${config.publicUrl}/` } : {}),
      notes: lines.slice(1).map((line) => line.trim()),
    },
    'ready',
  );
}
