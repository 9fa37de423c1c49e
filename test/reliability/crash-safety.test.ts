import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../context.ts';
import { runCli, spawnTs, waitFor } from './child-process.ts';

describe('crash safety: an error escaping one job fails that job, not the process', () => {
  let database: TestDatabase;
  let worker: ReturnType<typeof spawnTs>;
  beforeAll(async () => {
    database = await createTestDatabase();
    worker = spawnTs('test/reliability/crashing-worker.ts', [database.url]);
    await waitFor('the worker to start', () => worker.output().includes('ready'), 60_000);
  });
  afterAll(async () => {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    await database.drop();
  });

  it('quarantines a job that crashed twice, keeps working, and lists and retries it through cli jobs', async () => {
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 2 });
    await boss.start();
    try {
      const crashingId = await boss.send('test.crashing', { n: 1 });
      const row = await waitFor('the quarantine', () =>
        database.db
          .selectFrom('job_runs')
          .selectAll()
          .where('job_id', '=', crashingId!)
          .where('quarantined_at', 'is not', null)
          .executeTakeFirst(),
      );
      expect(row.crashes).toBe(2);
      expect(row.last_error).toContain('assert(!this.paused) from a socket callback');
      // The process survived both crashes and still runs other jobs.
      expect(worker.exitCode).toBeNull();
      await boss.send('test.fine', { n: 1 });
      await waitFor('the other job', () =>
        database.db.selectFrom('app_settings').select('key').where('key', '=', 'fine-1').executeTakeFirst(),
      );
      // Quarantined means never retried again: no third attempt.
      const [job] = await boss.findJobs('test.crashing', { id: crashingId! });
      expect(job?.state).toBe('failed');
      expect(job?.retryCount).toBe(1);

      const env = { DATABASE_URL: database.url, LOG_LEVEL: 'silent' };
      const listed = await runCli(['jobs', '--json'], env);
      expect(listed.code).toBe(0);
      const jobs = JSON.parse(listed.stdout) as {
        id: string;
        state: string;
        crashes: number;
        error: string;
      }[];
      expect(jobs).toEqual([
        expect.objectContaining({ id: crashingId, state: 'quarantined', crashes: 2, queue: 'test.crashing' }),
      ]);
      const text = await runCli(['jobs'], env);
      expect(text.stdout).toContain(`${crashingId}  quarantined  test.crashing, 2 crashes`);
      expect(text.stdout).toContain('assert(!this.paused) from a socket callback');

      const retried = await runCli(['jobs', 'retry', crashingId!], env);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain(`Job ${crashingId} queued again on test.crashing`);
      // The retried job runs (and, still broken, is quarantined again under its new id).
      await waitFor('the retried job to be quarantined', () =>
        database.db
          .selectFrom('job_runs')
          .select('job_id')
          .where('job_id', '!=', crashingId!)
          .where('quarantined_at', 'is not', null)
          .executeTakeFirst(),
      );
      expect(worker.exitCode).toBeNull();
      const unknown = await runCli(['jobs', 'retry', '00000000-0000-0000-0000-000000000000'], env);
      expect(unknown.code).toBe(1);
    } finally {
      await boss.stop({ graceful: false, timeout: 1_000 });
    }
  }, 120_000);
});
