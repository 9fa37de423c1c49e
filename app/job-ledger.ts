import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { toJson } from '../db/tables/json.ts';

/** Crashes after which a job is quarantined instead of retried. */
export const crashesBeforeQuarantine = 2;

export interface JobStart {
  crashes: number;
  lastError: string | null;
}

/**
 * The crash ledger behind quarantine: a row per running job (one statement per batch), deleted when the
 * job settles. A row still marked running when the same job starts again means the process died under it.
 */
export function createJobLedger(db: Db) {
  return {
    begin: async (queue: string, jobs: { id: string; data: unknown }[]): Promise<Map<string, JobStart>> => {
      if (jobs.length === 0) return new Map();
      const rows = await db
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
      return new Map(rows.map((r) => [r.job_id, { crashes: r.crashes, lastError: r.last_error }]));
    },
    /** The job's error escaped into the process; counted as a crash. Returns the crashes so far. */
    crashed: async (jobId: string, error: string): Promise<number> => {
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
      return row?.crashes ?? 1;
    },
    quarantine: async (jobId: string): Promise<void> => {
      await db
        .updateTable('job_runs')
        .set({ quarantined_at: new Date(), running_since: null, updated_at: new Date() })
        .where('job_id', '=', jobId)
        .execute();
    },
    /** Jobs a graceful stop interrupted: not running any more, and not a crash. */
    release: async (jobIds: string[]): Promise<void> => {
      if (jobIds.length === 0) return;
      await db.updateTable('job_runs').set({ running_since: null }).where('job_id', 'in', jobIds).execute();
    },
    /** The jobs settled (completed, or failed in the ordinary way): nothing to remember. */
    finish: async (jobIds: string[]): Promise<void> => {
      if (jobIds.length === 0) return;
      await db
        .deleteFrom('job_runs')
        .where('job_id', 'in', jobIds)
        .where('quarantined_at', 'is', null)
        .execute();
    },
  };
}

export type JobLedger = ReturnType<typeof createJobLedger>;
