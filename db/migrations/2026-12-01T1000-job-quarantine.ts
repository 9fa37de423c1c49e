import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per background job while it runs (deleted when it settles). A row still marked running when
  // the job starts again means the process died under it; after two such crashes the job is quarantined
  // for the operator (`cli jobs`) instead of being retried forever.
  await sql`
    CREATE TABLE job_runs (
      job_id text PRIMARY KEY,
      queue text NOT NULL,
      data jsonb NOT NULL,
      running_since timestamptz,
      crashes integer NOT NULL DEFAULT 0,
      last_error text,
      quarantined_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX job_runs_quarantined ON job_runs (quarantined_at) WHERE quarantined_at IS NOT NULL`.execute(
    db,
  );
}
