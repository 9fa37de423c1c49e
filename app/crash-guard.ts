import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../lib/logger.ts';

/** A job's error that escaped its handler (an uncaught exception or unhandled rejection in its async context). */
export class JobCrashError extends Error {
  override name = 'JobCrashError';
  constructor(readonly original: unknown) {
    super(`the job crashed: ${original instanceof Error ? original.message : String(original)}`);
  }
}

interface JobScope {
  jobId: string;
  crash: (error: unknown) => void;
}

const jobScope = new AsyncLocalStorage<JobScope>();

/**
 * Runs one job so that an error escaping it — thrown from a socket callback it started, or a promise it
 * forgot — fails that job (with `JobCrashError`) instead of the process. Needs `installCrashGuard`.
 */
export function runJobGuarded<T>(jobId: string, run: () => Promise<T>): Promise<T> {
  let crash: (error: unknown) => void = () => {};
  const crashed = new Promise<never>((_, reject) => {
    crash = (error) => reject(new JobCrashError(error));
  });
  return jobScope.run({ jobId, crash }, () => Promise.race([run(), crashed]));
}

let installed: { uncaught: (error: unknown) => void; rejection: (reason: unknown) => void } | null = null;

/**
 * Process-level handlers: an error raised inside a running job is handed to that job; anything else is
 * reported to `onUnattributed` (the process then shuts down and its supervisor restarts it).
 */
export function installCrashGuard(logger: Logger, onUnattributed: (error: unknown) => void): () => void {
  uninstallCrashGuard();
  const route = (kind: string) => (error: unknown) => {
    const scope = jobScope.getStore();
    if (scope) {
      logger.error({ err: error, jobId: scope.jobId, kind }, 'a job crashed; failing that job only');
      scope.crash(error);
      return;
    }
    logger.fatal({ err: error, kind }, 'unexpected error outside any job');
    onUnattributed(error);
  };
  installed = { uncaught: route('uncaughtException'), rejection: route('unhandledRejection') };
  process.on('uncaughtException', installed.uncaught);
  process.on('unhandledRejection', installed.rejection);
  return uninstallCrashGuard;
}

function uninstallCrashGuard(): void {
  if (!installed) return;
  process.off('uncaughtException', installed.uncaught);
  process.off('unhandledRejection', installed.rejection);
  installed = null;
}
