import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A multisport file (triathlon, duathlon, brick) is one activity per leg (METRICS.md §1.5): the legs of
  // one file share a group, in order, so a Strava activity spanning them all is recognised as the same
  // workout and does not count twice.
  await sql`ALTER TABLE activities ADD COLUMN multisport_group text`.execute(db);
  await sql`ALTER TABLE activities ADD COLUMN leg_index integer CHECK (leg_index >= 0)`.execute(db);
  await sql`
    ALTER TABLE activities ADD CONSTRAINT activities_leg_in_group
      CHECK ((multisport_group IS NULL) = (leg_index IS NULL))`.execute(db);
  await sql`
    CREATE INDEX activities_multisport_group ON activities (athlete_id, multisport_group, leg_index)
    WHERE multisport_group IS NOT NULL`.execute(db);
}
