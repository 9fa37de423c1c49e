import type { Db } from '../connect.ts';
import type { SyncRunRow } from '../tables/sync-runs.ts';

export function findSyncRun(db: Db, runId: string): Promise<SyncRunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}
