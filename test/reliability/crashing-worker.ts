// A worker process for the crash-safety test: real pg-boss, the real job runner and crash guard, and two
// job kinds — one whose error escapes it from a callback (as undici's did), one that simply completes.
import { z } from 'zod';
import { installCrashGuard } from '../../app/crash-guard.ts';
import { createBoss, createQueues, startWorkers } from '../../app/job-runner.ts';
import { connectDb, type Db } from '../../db/connect.ts';
import { defineJob, type JobDefinition } from '../../lib/jobs/job-definition.ts';
import { createLogger } from '../../lib/logger.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: crashing-worker.ts <database-url>');
const logger = createLogger({ level: process.env.WORKER_LOG_LEVEL ?? 'silent' });
installCrashGuard(logger, () => process.exit(70));
const { db, close } = connectDb(url, { max: 4 });

type Ctx = { db: Db };
const definitions = [
  defineJob<Ctx, z.ZodObject<{ n: z.ZodNumber }>>({
    name: 'test.crashing',
    payload: z.object({ n: z.number() }),
    queue: { retryLimit: 5, retryDelay: 1, retryDelayMax: 1 },
    handler: async () => {
      setImmediate(() => {
        throw new Error('assert(!this.paused) from a socket callback');
      });
      await new Promise(() => {});
    },
  }),
  defineJob<Ctx, z.ZodObject<{ n: z.ZodNumber }>>({
    name: 'test.fine',
    payload: z.object({ n: z.number() }),
    handler: async ({ n }, ctx) => {
      await ctx.db
        .insertInto('app_settings')
        .values({ key: `fine-${n}`, value: '"done"' })
        .execute();
    },
  }),
] as unknown as JobDefinition<Ctx>[];

const boss = createBoss(url, logger, { max: 4 });
await boss.start();
await createQueues(boss, definitions);
await startWorkers(boss, definitions, { db }, logger);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void boss
    .stop({ graceful: false, timeout: 1_000 })
    .then(close)
    .then(() => process.exit(0));
});
