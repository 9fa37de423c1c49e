import type { PgBoss } from 'pg-boss';
import { pino } from 'pino';
import { type AppDatabase, openDatabase } from '../app/database.ts';
import { createBoss } from '../app/job-runner.ts';
import { loadProcessConfig } from '../app/run-process.ts';
import type { Config } from '../lib/config.ts';
import { createLogger, type Logger } from '../lib/logger.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
  database: AppDatabase;
  /** Started on demand: commands that only read never touch the job queue. */
  boss: () => Promise<PgBoss>;
}

/**
 * Runs a command against the configured database (or the embedded default), with logs on stderr so
 * stdout stays machine-readable, and closes everything afterwards.
 */
export async function withCliContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadProcessConfig();
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: pino.destination(2),
  });
  const database = await openDatabase(config, logger);
  let boss: PgBoss | null = null;
  try {
    return await fn({
      config,
      logger,
      database,
      boss: async () => {
        if (!boss) {
          boss = createBoss(database.url, logger, { max: 2 });
          await boss.start();
        }
        return boss;
      },
    });
  } finally {
    const started = boss as PgBoss | null;
    if (started) await started.stop({ graceful: true, timeout: 5_000 }).catch(() => {});
    await database.close();
  }
}
