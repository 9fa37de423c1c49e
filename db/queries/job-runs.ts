import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { JobRunRow } from '../tables/job-runs.ts';
import { toJson } from '../tables/json.ts';

/**
 * The crash ledger behind quarantine (app/job-ledger.ts): a row per running job, deleted when the job
 * settles. A row still marked running when the same job starts again means the process died under it.
 */

/**
 * Marks the jobs running (one statement per batch); a job whose row was still running counts a crash.
 * Returns each job's crashes and last error so far.
 */
export function beginJobRuns(
  db: Db,
  queue: string,
  jobs: { id: string; data: unknown }[],
): Promise<Pick<JobRunRow, 'job_id' | 'crashes' | 'last_error'>[]> {
  return db
    .insertInto('job_runs')
    .values(
      jobs.map((job) => ({
        job_id: job.id,
        queue,
        data: toJson(job.data ?? null),
        running_since: new Date(),
      })),
    )
    .onConflict((oc) =>
      oc.column('job_id').doUpdateSet({
        crashes: sql`job_runs.crashes + (CASE WHEN job_runs.running_since IS NULL THEN 0 ELSE 1 END)`,
        last_error: sql`CASE WHEN job_runs.running_since IS NULL THEN job_runs.last_error
              ELSE 'the process stopped while the job was running' END`,
        running_since: new Date(),
        updated_at: new Date(),
      }),
    )
    .returning(['job_id', 'crashes', 'last_error'])
    .execute();
}

/** Counts a crash of the job with its error; returns its crashes so far (undefined: no such row). */
export async function recordJobCrash(db: Db, jobId: string, error: string): Promise<number | undefined> {
  const row = await db
    .updateTable('job_runs')
    .set({
      crashes: sql`crashes + 1`,
      last_error: error.slice(0, 2000),
      running_since: null,
      updated_at: new Date(),
    })
    .where('job_id', '=', jobId)
    .returning('crashes')
    .executeTakeFirst();
  return row?.crashes;
}

export async function quarantineJobRun(db: Db, jobId: string): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ quarantined_at: new Date(), running_since: null, updated_at: new Date() })
    .where('job_id', '=', jobId)
    .execute();
}

/** The jobs are no longer running, without a crash (a graceful stop interrupted them). */
export async function releaseJobRuns(db: Db, jobIds: string[]): Promise<void> {
  await db.updateTable('job_runs').set({ running_since: null }).where('job_id', 'in', jobIds).execute();
}

/** Forgets the settled jobs, keeping quarantined ones. */
export async function finishJobRuns(db: Db, jobIds: string[]): Promise<void> {
  await db.deleteFrom('job_runs').where('job_id', 'in', jobIds).where('quarantined_at', 'is', null).execute();
}

/** Quarantined jobs, in order of quarantine. */
export function quarantinedJobRuns(db: Db): Promise<JobRunRow[]> {
  return db
    .selectFrom('job_runs')
    .selectAll()
    .where('quarantined_at', 'is not', null)
    .orderBy('quarantined_at')
    .execute();
}

export function findJobRun(db: Db, jobId: string): Promise<JobRunRow | undefined> {
  return db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
}

export async function deleteJobRun(db: Db, jobId: string): Promise<void> {
  await db.deleteFrom('job_runs').where('job_id', '=', jobId).execute();
}
