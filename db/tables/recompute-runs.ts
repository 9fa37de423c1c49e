import type { Generated, Selectable } from 'kysely';

export interface RecomputeRunsTable {
  id: Generated<string>;
  athlete_id: string;
  from_date: string | null;
  total: Generated<number>;
  done: Generated<number>;
  state: Generated<'queued' | 'running' | 'done' | 'failed'>;
  error: string | null;
  dm_when_done: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type RecomputeRunRow = Selectable<RecomputeRunsTable>;
