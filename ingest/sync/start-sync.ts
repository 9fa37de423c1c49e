import type { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss';
import { type Db, inTransaction } from '../../db/connect.ts';
import { lockAthlete } from '../../db/queries/athletes.ts';
import { toJson } from '../../db/tables/json.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';

const activeSyncStates = ['queued', 'listing', 'syncing', 'waiting_rate_limit'] as const;

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
    const active = await trx
      .selectFrom('sync_runs')
      .select('id')
      .where('athlete_id', '=', request.athleteId)
      .where('state', 'in', [...activeSyncStates])
      .executeTakeFirst();
    if (active) return { runId: active.id, alreadyRunning: true };
    const run = await trx
      .insertInto('sync_runs')
      .values({
        athlete_id: request.athleteId,
        kind: request.kind,
        requested: request.count,
        update_existing: request.updateExisting,
        notify: request.notify ? toJson(request.notify) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await boss.send(
      jobNames.backfill,
      { runId: run.id },
      { db: fromKysely(trx), priority: priorities.backfill },
    );
    return { runId: run.id, alreadyRunning: false };
  });
}
