import type { Db } from '../db/connect.ts';
import {
  beginJobRuns,
  finishJobRuns,
  quarantineJobRun,
  recordJobCrash,
  releaseJobRuns,
} from '../db/queries/job-runs.ts';

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
      const rows = await beginJobRuns(db, queue, jobs);
      return new Map(rows.map((r) => [r.job_id, { crashes: r.crashes, lastError: r.last_error }]));
    },
    /** The job's error escaped into the process; counted as a crash. Returns the crashes so far. */
    crashed: async (jobId: string, error: string): Promise<number> =>
      (await recordJobCrash(db, jobId, error)) ?? 1,
    quarantine: (jobId: string): Promise<void> => quarantineJobRun(db, jobId),
    /** Jobs a graceful stop interrupted: not running any more, and not a crash. */
    release: async (jobIds: string[]): Promise<void> => {
      if (jobIds.length === 0) return;
      await releaseJobRuns(db, jobIds);
    },
    /** The jobs settled (completed, or failed in the ordinary way): nothing to remember. */
    finish: async (jobIds: string[]): Promise<void> => {
      if (jobIds.length === 0) return;
      await finishJobRuns(db, jobIds);
    },
  };
}

export type JobLedger = ReturnType<typeof createJobLedger>;
