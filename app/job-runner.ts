import { PgBoss } from 'pg-boss';
import { bossSchema, type JobDefinition } from '../lib/jobs/job-definition.ts';
import type { Logger } from '../lib/logger.ts';

export { bossSchema };

/** A pg-boss instance whose errors are logged (the listener is attached before start, as pg-boss asks). */
export function createBoss(connectionString: string, logger: Logger, options: { max?: number } = {}): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: bossSchema,
    max: options.max ?? 10,
    useListenNotify: true,
  });
  const log = logger.child({ subsystem: 'jobs' });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'pg-boss warning'));
  return boss;
}

/**
 * Creates every queue (with its dead-letter queue) and fails the start when two definitions share a
 * name: each queue has exactly one handler.
 */
export async function createQueues<Ctx>(boss: PgBoss, definitions: JobDefinition<Ctx>[]): Promise<void> {
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (seen.has(definition.name)) throw new Error(`two job definitions are named "${definition.name}"`);
    seen.add(definition.name);
  }
  for (const definition of definitions) {
    const deadLetter = `${definition.name}.dead`;
    await boss.createQueue(deadLetter, { retentionSeconds: 14 * 24 * 3600 });
    await boss.createQueue(definition.name, {
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 600,
      notify: true,
      ...definition.queue,
      deadLetter,
    });
  }
}

/**
 * Installs the cron schedules (pg-boss keeps one per queue, so every process may call this) and removes
 * schedules of queues that no longer have one.
 */
export async function syncSchedules<Ctx>(boss: PgBoss, definitions: JobDefinition<Ctx>[]): Promise<void> {
  const wanted = new Map(definitions.filter((d) => d.schedule).map((d) => [d.name, d.schedule!]));
  for (const existing of await boss.getSchedules()) {
    if (!wanted.has(existing.name)) await boss.unschedule(existing.name);
  }
  for (const [name, schedule] of wanted) {
    await boss.schedule(name, schedule.cron, schedule.data as object, { tz: 'UTC' });
  }
}

/** Starts one worker per definition; payloads are parsed with the definition's schema first. */
export async function startWorkers<Ctx>(
  boss: PgBoss,
  definitions: JobDefinition<Ctx>[],
  ctx: Ctx,
  logger: Logger,
): Promise<void> {
  for (const definition of definitions) {
    const log = logger.child({ job: definition.name });
    const { batchSize = 1, ...work } = definition.work ?? {};
    await boss.work<unknown>(definition.name, { ...work, batchSize, perJobResults: true }, async (jobs) =>
      // Jobs of one batch run together and settle one by one: a failure retries only that job.
      Promise.all(
        jobs.map(async (job) => {
          const parsed = definition.payload.safeParse(job.data);
          if (!parsed.success) {
            log.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid job payload');
            return { id: job.id, status: 'deadletter' as const, output: { error: 'invalid payload' } };
          }
          try {
            await definition.handler(parsed.data, ctx, job);
            return { id: job.id, status: 'completed' as const };
          } catch (error) {
            log.warn({ jobId: job.id, err: error }, 'job failed; it will be retried');
            const message = error instanceof Error ? error.message : String(error);
            return { id: job.id, status: 'failed' as const, output: { error: message } };
          }
        }),
      ),
    );
  }
}
