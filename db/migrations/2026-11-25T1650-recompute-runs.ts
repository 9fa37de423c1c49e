import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Progress of a history recompute (after a threshold change), so the button that started it can show it.
  await sql`
    CREATE TABLE recompute_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      from_date date,
      total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
      done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
      error text,
      -- The button's interaction token expired before the end: the result goes by DM instead.
      dm_when_done boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX recompute_runs_athlete ON recompute_runs (athlete_id, created_at DESC)`.execute(db);
}
