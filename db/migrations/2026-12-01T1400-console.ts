import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The demo athlete the operator console loads: never a real athlete (no digest DMs, not counted).
  await sql`ALTER TABLE athletes ADD COLUMN demo boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE INDEX athletes_demo_idx ON athletes (id) WHERE demo`.execute(db);
  // Console logins: one-time links and sessions, stored hashed so a database dump opens no console.
  // In Postgres, not in memory, so any web replica accepts a session another one started.
  await sql`
    CREATE TABLE console_login_links (
      token_hash text PRIMARY KEY,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
  await sql`
    CREATE TABLE console_sessions (
      token_hash text PRIMARY KEY,
      csrf_token text NOT NULL,
      expires_at timestamptz NOT NULL,
      opened_athlete_id bigint REFERENCES athletes(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
}
