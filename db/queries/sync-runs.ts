import { sql } from 'kysely';
import { type Db, inTransaction } from '../connect.ts';
import { toJson } from '../tables/json.ts';
import type { SyncRunItemRow, SyncRunRow, SyncRunState } from '../tables/sync-runs.ts';

/** Backfill runs (`sync_runs`) and the activities each one listed (`sync_run_items`). */

/** A run in one of these states is still going; an athlete has at most one. */
const activeSyncStates = ['queued', 'listing', 'syncing', 'waiting_rate_limit'] as const;

/** States a run never leaves. */
const finalSyncStates: SyncRunState[] = ['done', 'failed', 'cancelled'];

export function findSyncRun(db: Db, runId: string): Promise<SyncRunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** The athlete's run that is still going, if any. */
export function findActiveSyncRun(db: Db, athleteId: string): Promise<Pick<SyncRunRow, 'id'> | undefined> {
  return db
    .selectFrom('sync_runs')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('state', 'in', [...activeSyncStates])
    .executeTakeFirst();
}

export async function insertSyncRun(
  db: Db,
  run: {
    athleteId: string;
    kind: SyncRunRow['kind'];
    requested: number;
    updateExisting: boolean;
    notify: Record<string, unknown> | null;
  },
): Promise<string> {
  const row = await db
    .insertInto('sync_runs')
    .values({
      athlete_id: run.athleteId,
      kind: run.kind,
      requested: run.requested,
      update_existing: run.updateExisting,
      notify: run.notify ? toJson(run.notify) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** How far the run's listing got (a retried slice goes on from there). */
export function syncRunListing(
  db: Db,
  runId: string,
): Promise<Pick<SyncRunRow, 'listed' | 'next_page' | 'listing_done'>> {
  return db
    .selectFrom('sync_runs')
    .select(['listed', 'next_page', 'listing_done'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
}

/**
 * Records one listed page in one transaction: its activities as pending items (an item already listed is
 * kept), the page reached and one API call. Returns how many items the run has listed in all.
 */
export function recordListedPage(
  db: Db,
  runId: string,
  page: {
    items: { stravaId: string; summary: Record<string, unknown> }[];
    page: number;
    perPage: number;
    done: boolean;
    now: Date;
  },
): Promise<number> {
  return inTransaction(db, async (trx) => {
    if (page.items.length > 0) {
      await trx
        .insertInto('sync_run_items')
        .values(
          page.items.map((item) => ({
            sync_run_id: runId,
            strava_id: item.stravaId,
            summary: toJson(item.summary),
          })),
        )
        .onConflict((oc) => oc.columns(['sync_run_id', 'strava_id']).doNothing())
        .execute();
    }
    const count = await trx
      .selectFrom('sync_run_items')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('sync_run_id', '=', runId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('sync_runs')
      .set({
        listed: count.n,
        next_page: page.page + 1,
        per_page: page.perPage,
        listing_done: page.done,
        api_calls: sql`api_calls + 1`,
        updated_at: page.now,
      })
      .where('id', '=', runId)
      .execute();
    return count.n;
  });
}

/**
 * The run's next pending item, locked for the rest of the transaction; items another worker holds are
 * skipped, so two slices never sync one activity at once. Newest first.
 */
export function claimPendingSyncItem(db: Db, runId: string): Promise<SyncRunItemRow | undefined> {
  return db
    .selectFrom('sync_run_items')
    .selectAll()
    .where('sync_run_id', '=', runId)
    .where('state', '=', 'pending')
    .orderBy('strava_id', 'desc')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function countPendingSyncItems(db: Db, runId: string): Promise<number> {
  const row = await db
    .selectFrom('sync_run_items')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('sync_run_id', '=', runId)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return row.n;
}

/** An item's outcome, counted on its run with the API calls it cost. */
export async function markSyncItem(
  db: Db,
  runId: string,
  stravaId: string,
  state: 'synced' | 'skipped' | 'failed',
  error: string | null,
  apiCalls: number,
): Promise<void> {
  await db
    .updateTable('sync_run_items')
    .set({ state, error })
    .where('sync_run_id', '=', runId)
    .where('strava_id', '=', stravaId)
    .execute();
  await db
    .updateTable('sync_runs')
    .set({
      [state]: sql`${sql.ref(state)} + 1`,
      api_calls: sql`api_calls + ${apiCalls}`,
      updated_at: new Date(),
    })
    .where('id', '=', runId)
    .execute();
}

/** The earliest local day of the athlete's activities the run listed (null when none is stored). */
export async function syncRunFirstDay(db: Db, runId: string, athleteId: string): Promise<string | null> {
  const span = await db
    .selectFrom('sync_run_items')
    .innerJoin('activities', 'activities.strava_id', 'sync_run_items.strava_id')
    .select(sql<string | null>`min(activities.local_date)::text`.as('first'))
    .where('sync_run_items.sync_run_id', '=', runId)
    .where('activities.athlete_id', '=', athleteId)
    .executeTakeFirst();
  return span?.first ?? null;
}

/** Moves a run that is still going to `state`; a finished run stays finished. */
export async function setSyncRunState(db: Db, runId: string, state: SyncRunState, now: Date): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ state, resume_at: null, updated_at: now })
    .where('id', '=', runId)
    .where('state', 'not in', finalSyncStates)
    .execute();
}

/** The run waits for the rate limit's next window. */
export async function markSyncRunWaiting(db: Db, runId: string, resumeAt: Date, now: Date): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ state: 'waiting_rate_limit', resume_at: resumeAt, updated_at: now })
    .where('id', '=', runId)
    .execute();
}

/** Finishes a run that is still going; the finished row, or undefined when it had finished already. */
export function finishSyncRun(
  db: Db,
  runId: string,
  state: 'done' | 'failed',
  error: string | null,
  now: Date,
): Promise<SyncRunRow | undefined> {
  return db
    .updateTable('sync_runs')
    .set({ state, error, finished_at: now, updated_at: now, resume_at: null })
    .where('id', '=', runId)
    .where('state', 'not in', finalSyncStates)
    .returningAll()
    .executeTakeFirst();
}

/** Cancels the athlete's run that is still going (the athlete disconnected). */
export async function cancelActiveSyncRuns(db: Db, athleteId: string, now: Date): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ state: 'cancelled', finished_at: now, updated_at: now })
    .where('athlete_id', '=', athleteId)
    .where('state', 'in', [...activeSyncStates])
    .execute();
}
