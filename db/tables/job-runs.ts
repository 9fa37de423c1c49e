import type { Generated, Selectable } from 'kysely';
import type { Json } from './json.ts';

/** A background job while it runs, and what crashed under it (see the job runner's crash guard). */
export interface JobRunsTable {
  job_id: string;
  queue: string;
  data: Json<unknown>;
  /** Set while a process runs the job; still set at the next start means the process died under it. */
  running_since: Date | null;
  crashes: Generated<number>;
  last_error: string | null;
  quarantined_at: Date | null;
  updated_at: Generated<Date>;
}
export type JobRunRow = Selectable<JobRunsTable>;
