import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Runs with a power meter are scored against their own threshold (METRICS.md §2), dated like the others.
  await sql`ALTER TABLE athlete_thresholds DROP CONSTRAINT athlete_thresholds_kind_check`.execute(db);
  await sql`
    ALTER TABLE athlete_thresholds ADD CONSTRAINT athlete_thresholds_kind_check
      CHECK (kind IN ('ftp', 'run_ftp', 'lthr', 'max_hr', 'rest_hr', 'threshold_pace', 'swim_threshold_pace'))`.execute(
    db,
  );
}
