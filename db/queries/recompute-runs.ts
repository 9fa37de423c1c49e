import type { Db } from '../connect.ts';
import type { RecomputeRunRow } from '../tables/recompute-runs.ts';

/** A run the recompute job reports its progress into (`from`: a local date, or 'all'). */
export async function createRecomputeRun(
  db: Db,
  athleteId: string,
  from: string,
  options: { dmWhenDone?: boolean } = {},
): Promise<string> {
  const run = await db
    .insertInto('recompute_runs')
    .values({
      athlete_id: athleteId,
      from_date: from === 'all' ? null : from,
      ...(options.dmWhenDone ? { dm_when_done: true } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
}

export function recomputeRunProgress(
  db: Db,
  runId: string,
): Promise<Pick<RecomputeRunRow, 'state' | 'total' | 'done' | 'error'>> {
  return db
    .selectFrom('recompute_runs')
    .select(['state', 'total', 'done', 'error'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
}

/**
 * The athlete stopped watching: the job DMs the result instead. False when the run is already done (the
 * caller reports it itself); the job reads the flag after marking done, so exactly one of the two sees it.
 */
export async function askDmWhenDone(db: Db, runId: string): Promise<boolean> {
  const asked = await db
    .updateTable('recompute_runs')
    .set({ dm_when_done: true })
    .where('id', '=', runId)
    .where('state', '!=', 'done')
    .returning('id')
    .executeTakeFirst();
  return asked !== undefined;
}

export async function reportRecomputeRun(
  db: Db,
  runId: string,
  values: { state?: 'running' | 'done' | 'failed'; total?: number; done?: number; error?: string },
): Promise<void> {
  await db
    .updateTable('recompute_runs')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', runId)
    .execute();
}

/** Whether the run's athlete asked for a DM when it is done, and who they are. */
export function recomputeRunRecipient(db: Db, runId: string) {
  return db
    .selectFrom('recompute_runs')
    .innerJoin('athletes', 'athletes.id', 'recompute_runs.athlete_id')
    .select(['recompute_runs.dm_when_done', 'recompute_runs.total', 'athletes.discord_user_id'])
    .where('recompute_runs.id', '=', runId)
    .executeTakeFirst();
}
