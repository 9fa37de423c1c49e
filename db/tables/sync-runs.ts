import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json } from './json.ts';

export type SyncRunState =
  | 'queued'
  | 'listing'
  | 'syncing'
  | 'waiting_rate_limit'
  | 'done'
  | 'failed'
  | 'cancelled';

export interface SyncRunsTable {
  id: Generated<string>;
  athlete_id: string;
  kind: 'initial' | 'backfill';
  requested: number;
  update_existing: Generated<boolean>;
  listed: Generated<number>;
  synced: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  state: Generated<SyncRunState>;
  next_page: Generated<number>;
  listing_done: Generated<boolean>;
  api_calls: Generated<number>;
  per_page: Generated<number>;
  resume_at: Date | null;
  error: string | null;
  /** Where to report progress (e.g. a Discord interaction), opaque to the worker. */
  notify: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}
export type SyncRunRow = Selectable<SyncRunsTable>;

export interface SyncRunItemsTable {
  sync_run_id: string;
  strava_id: string;
  state: Generated<'pending' | 'synced' | 'skipped' | 'failed'>;
  summary: Json<Record<string, unknown>>;
  error: string | null;
}
export type SyncRunItemRow = Selectable<SyncRunItemsTable>;
