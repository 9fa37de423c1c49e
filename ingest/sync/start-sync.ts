import type { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss';
import { type Db, inTransaction } from '../../db/connect.ts';
import { lockAthlete } from '../../db/queries/athletes.ts';
import { findActiveSyncRun, insertSyncRun } from '../../db/queries/sync-runs.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';

/**
 * Starts a backfill of the athlete's most recent `count` activities (a `sync_runs` row and its job, in one
 * transaction). An athlete has at most one active run: asking again returns the running one.
 */
export async function startSync(
  db: Db,
  boss: PgBoss,
  request: {
    athleteId: string;
    kind: 'initial' | 'backfill';
    count: number;
    updateExisting: boolean;
    notify?: Record<string, unknown> | null;
  },
): Promise<{ runId: string; alreadyRunning: boolean }> {
  return inTransaction(db, async (trx) => {
    // Serialise run creation per athlete so two /sync presses cannot both start one.
    await lockAthlete(trx, request.athleteId);
    const active = await findActiveSyncRun(trx, request.athleteId);
    if (active) return { runId: active.id, alreadyRunning: true };
    const runId = await insertSyncRun(trx, {
      athleteId: request.athleteId,
      kind: request.kind,
      requested: request.count,
      updateExisting: request.updateExisting,
      notify: request.notify ?? null,
    });
    await boss.send(jobNames.backfill, { runId }, { db: fromKysely(trx), priority: priorities.backfill });
    return { runId, alreadyRunning: false };
  });
}
