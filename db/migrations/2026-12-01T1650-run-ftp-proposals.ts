import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Run FTP (from run power) is offered and proposed like the other thresholds estimated from history.
  await sql`ALTER TABLE threshold_proposals DROP CONSTRAINT threshold_proposals_kind_check`.execute(db);
  await sql`
    ALTER TABLE threshold_proposals ADD CONSTRAINT threshold_proposals_kind_check
      CHECK (kind IN ('ftp', 'run_ftp', 'lthr', 'max_hr', 'rest_hr', 'threshold_pace', 'swim_threshold_pace'))`.execute(
    db,
  );
}
