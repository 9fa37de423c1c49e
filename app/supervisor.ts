import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLoginLink } from '../console/auth.ts';
import { type AppDatabase, openDatabase } from './database.ts';
import { announce, type ServiceName, startProcessLogging } from './run-process.ts';

/** Set in a supervised child: the supervisor announces, owns the database server and restarts the child. */
const supervisedEnv = 'THRESHOLD_SUPERVISED';

/** How long the other services wait at most for the web service's start. */
const firstServiceHeadStartMs = 5_000;

export interface SupervisorOptions {
  /** First restart delay; doubles per quick death up to `maxRestartDelayMs`. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A service that dies this many times within `crashWindowMs` is given up on, and everything stops. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** How long a service gets to stop after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

/**
 * `npm start`: runs each service (web, worker, bot) as its own child process so one that dies is
 * restarted with backoff while the others keep working. The supervisor owns the embedded PostgreSQL and
 * stops it on every way out: a signal, a service that keeps dying, or an error of its own.
 */
export async function superviseServices(
  names: ServiceName[],
  options: SupervisorOptions = {},
): Promise<number> {
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const maxCrashes = options.maxCrashes ?? 5;
  const crashWindowMs = options.crashWindowMs ?? 5 * 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 40_000;
  const started = startProcessLogging();
  if (!started) return 1;
  const { config, terminal } = started;
  const logger = started.logger.child({ subsystem: 'supervisor' });
  let database: AppDatabase;
  let loginLink: string | null = null;
  try {
    // Started (and migrated) once here, so children neither race to start it nor stop it.
    database = await openDatabase(config, logger);
    // The console's one-time login link is shown only to the person at the terminal, never logged.
    loginLink =
      names.includes('web') && terminal ? await createLoginLink(database.db, config.publicUrl) : null;
    await database.db.destroy();
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    return 1;
  }
  const stopDatabase = async () => {
    await database.embedded
      ?.stop()
      .catch((error) => logger.error({ err: error }, 'embedded PostgreSQL stop failed'));
  };

  const wanted = names.filter((name) => name !== 'bot' || config.discord);
  const children = new Map<ServiceName, ChildProcess>();
  let stopping = false;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping services');
    await Promise.all([...children.values()].map((child) => stopChild(child, stopTimeoutMs)));
    await stopDatabase();
    resolveExit(code);
  };

  const launch = (name: ServiceName, crashes: number[]): ChildProcess => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'start', '--only', name], {
      env: { ...process.env, DATABASE_URL: database.url, [supervisedEnv]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(name, child);
    child.once('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      const now = Date.now();
      const recent = [...crashes.filter((at) => now - at < crashWindowMs), now];
      if (recent.length >= maxCrashes) {
        logger.error({ service: name, code, signal, deaths: recent.length }, 'service keeps dying; stopping');
        void stop(`${name} keeps dying`, 1);
        return;
      }
      // Deaths close together wait longer each time; a service that ran a while starts over at the first delay.
      const delay = Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (recent.length - 1));
      logger.error({ service: name, code, signal, restartInMs: delay }, 'service died; restarting');
      void sleep(delay).then(() => {
        if (!stopping) launch(name, recent);
      });
    });
    return child;
  };
  // The web service starts first and the others once it said it is up (or died, or after a few
  // seconds): on a small machine three processes starting at once take turns on the CPU, and /readyz
  // would wait on the worker's and bot's starts, which it does not need.
  const launchAll = () => {
    const first = wanted.includes('web') ? 'web' : null;
    let restLaunched = false;
    const launchRest = () => {
      if (restLaunched || stopping) return;
      restLaunched = true;
      for (const name of wanted) if (name !== first) launch(name, []);
    };
    if (!first) return launchRest();
    const web = launch(first, []);
    web.once('message', launchRest);
    web.once('exit', launchRest);
    setTimeout(launchRest, firstServiceHeadStartMs).unref();
  };

  const onSignal = (signal: NodeJS.Signals) => void stop(signal, 0);
  const onError = (error: unknown) => {
    logger.fatal({ err: error }, 'supervisor error');
    void stop('supervisor error', 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    launchAll();
    announce(config, names, logger, terminal, loginLink);
    return await exited;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
}

async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}
