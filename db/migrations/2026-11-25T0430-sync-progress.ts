import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Whether Strava's list ran out before `requested` (an athlete with fewer activities than asked for),
  // and how many Strava API calls the run made (calls per activity is the product's physical limit).
  await sql`ALTER TABLE sync_runs ADD COLUMN listing_done boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE sync_runs ADD COLUMN api_calls integer NOT NULL DEFAULT 0 CHECK (api_calls >= 0)`.execute(
    db,
  );
  await sql`ALTER TABLE sync_runs ADD COLUMN per_page integer NOT NULL DEFAULT 200 CHECK (per_page BETWEEN 1 AND 200)`.execute(
    db,
  );
  await sql`CREATE INDEX sync_run_items_pending ON sync_run_items (sync_run_id) WHERE state = 'pending'`.execute(
    db,
  );
}
