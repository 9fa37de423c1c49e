import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Until the athlete picks a time zone in /settings, it follows where their latest activity happened,
  // so "today", the PMC's days and the digest hour are theirs without asking.
  await sql`ALTER TABLE athletes ADD COLUMN timezone_chosen boolean NOT NULL DEFAULT false`.execute(db);
}
