import { type JobResult, PgBoss, type UpdateQueueOptions } from 'pg-boss';
import type { Db } from '../db/connect.ts';
import { bossSchema, type JobDefinition } from '../lib/jobs/job-definition.ts';
import type { Logger } from '../lib/logger.ts';
import { JobCrashError, runJobGuarded } from './crash-guard.ts';
import { crashesBeforeQuarantine, createJobLedger, type JobLedger } from './job-ledger.ts';

export { bossSchema };

/** A pg-boss instance whose errors are logged (the listener is attached before start, as pg-boss asks). */
export function createBoss(
  connectionString: string,
  logger: Logger,
  options: { max?: number; worker?: boolean } = {},
): PgBoss {
  // A process without workers (web, bot) only sends jobs: it neither listens for new ones, nor
  // supervises expired ones, nor runs the cron schedules (the workers do), so its start skips them.
  const sender =
    options.worker === false ? { useListenNotify: false, supervise: false, schedule: false } : {};
  const boss = new PgBoss({
    connectionString,
    schema: bossSchema,
    max: options.max ?? 10,
    useListenNotify: true,
    // How often jobs past their heartbeat or expiry are failed and retried (each queue is checked on its
    // monitor pass): a job orphaned by kill -9 (heartbeatSeconds on long queues) resumes within heartbeat
    // + 10 s + its retry delay, not after its 15-minute expiry.
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    ...sender,
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
    const options = {
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 600,
      notify: true,
      ...definition.queue,
      deadLetter,
    };
    await boss.createQueue(definition.name, options);
    // createQueue leaves an existing queue as it was; settings changed since then apply here.
    // (pg-boss's updateQueue applies heartbeatSeconds too; its type leaves it out.)
    const { policy: _policy, partition: _partition, ...updatable } = options;
    await boss.updateQueue(definition.name, updatable as UpdateQueueOptions);
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

/**
 * Polling for every queue unless its definition says otherwise. pg-boss 12 polls every
 * `notifyPollingIntervalSeconds` (default 30 s) while LISTEN/NOTIFY is up, and a notification wakes a
 * worker only once: a backlog then drained one batch per 30 s. Polling each second, and fetching again at
 * once while batches come back full, drains at the handlers' speed.
 */
const defaultPolling = {
  pollingIntervalSeconds: 1,
  notifyPollingIntervalSeconds: 1,
  burstWhenBatchFull: true,
} as const;

/** Jobs this process is running, so a graceful stop can say they were interrupted, not crashed. */
const activeJobs = new Map<string, JobLedger>();

/**
 * Starts one worker per definition; payloads are parsed with the definition's schema first. Every job runs
 * under the crash guard and the crash ledger: an error that escapes a job fails only that job, and a job
 * that crashed a process twice is quarantined (dead-lettered, listed by `cli jobs`) instead of retried.
 */
export async function startWorkers<Ctx extends { db: Db }>(
  boss: PgBoss,
  definitions: JobDefinition<Ctx>[],
  ctx: Ctx,
  logger: Logger,
): Promise<void> {
  const ledger = createJobLedger(ctx.db);
  for (const definition of definitions) {
    const log = logger.child({ job: definition.name });
    const { batchSize = 1, ...work } = definition.work ?? {};
    const options = { ...defaultPolling, ...work, batchSize, perJobResults: true as const };
    await boss.work<unknown>(definition.name, options, async (jobs) => {
      const starts = await ledger.begin(definition.name, jobs);
      const settled: string[] = [];
      // Jobs of one batch run together and settle one by one: a failure retries only that job.
      const results = await Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          const start = starts.get(job.id);
          if (start && start.crashes >= crashesBeforeQuarantine) {
            await ledger.quarantine(job.id);
            log.error({ jobId: job.id, crashes: start.crashes, error: start.lastError }, 'job quarantined');
            return quarantined(job.id, start.crashes, start.lastError);
          }
          const parsed = definition.payload.safeParse(job.data);
          if (!parsed.success) {
            settled.push(job.id);
            log.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid job payload');
            return { id: job.id, status: 'deadletter', output: { error: 'invalid payload' } };
          }
          activeJobs.set(job.id, ledger);
          try {
            await runJobGuarded(job.id, () => definition.handler(parsed.data, ctx, job));
            settled.push(job.id);
            return { id: job.id, status: 'completed' };
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            if (error instanceof JobCrashError) {
              const crashes = await ledger.crashed(job.id, message);
              if (crashes >= crashesBeforeQuarantine) {
                await ledger.quarantine(job.id);
                log.error({ jobId: job.id, crashes, error: message }, 'job quarantined');
                return quarantined(job.id, crashes, message);
              }
              return { id: job.id, status: 'failed', output: { error: message, crashes } };
            }
            settled.push(job.id);
            log.warn({ jobId: job.id, err: error }, 'job failed; it will be retried');
            return { id: job.id, status: 'failed', output: { error: message } };
          } finally {
            activeJobs.delete(job.id);
          }
        }),
      );
      await ledger.finish(settled);
      return results;
    });
  }
}

function quarantined(id: string, crashes: number, error: string | null): JobResult {
  return {
    id,
    status: 'deadletter',
    output: { error: `quarantined after ${crashes} crashes: ${error ?? 'unknown'}`, quarantined: true },
  };
}

/**
 * After a graceful stop: jobs still running were interrupted by the operator, not crashed, so their next
 * start does not count against them.
 */
export async function releaseActiveJobs(): Promise<void> {
  const byLedger = new Map<JobLedger, string[]>();
  for (const [id, ledger] of activeJobs) byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), id]);
  activeJobs.clear();
  for (const [ledger, ids] of byLedger) await ledger.release(ids).catch(() => {});
}
