import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // An athlete's data export too large for a Discord attachment, kept until its one-time link is used
  // or expires. In Postgres, the one store every process (web, worker) shares.
  await sql`
    CREATE TABLE data_exports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      file_name text NOT NULL,
      size_bytes integer NOT NULL CHECK (size_bytes >= 0),
      data bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX data_exports_expiry ON data_exports (expires_at)`.execute(db);
}
