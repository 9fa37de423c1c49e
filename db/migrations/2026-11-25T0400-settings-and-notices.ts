import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Small application-wide facts, e.g. the id of the Strava push subscription.
  await sql`
    CREATE TABLE app_settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // The local date of the last digest sent, and a message to show on the athlete's next command
  // (e.g. "your DMs are closed, so the digest is off").
  await sql`ALTER TABLE athletes ADD COLUMN digest_last_date date`.execute(db);
  await sql`ALTER TABLE athletes ADD COLUMN pending_notice text`.execute(db);
}
