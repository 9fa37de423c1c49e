import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Streams the retention job purged cannot be re-analysed from what is stored: they are fetched again
  // from Strava at the athlete's next sync (within the rate-limit budget), then re-analysed.
  await sql`ALTER TABLE activities ADD COLUMN streams_refetch_due boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE INDEX activities_streams_refetch_due ON activities (athlete_id) WHERE streams_refetch_due`.execute(
    db,
  );

  // The metric rules changed (METRICS.md revision of 2026-12): every activity stored so far is
  // re-analysed once under the current analyzer, then every athlete's PMC is recomputed once. The work
  // is listed here, once; the worker takes it row by row (a row goes when its activity is done), so a
  // crash resumes where it stopped and nothing is done twice.
  await sql`
    CREATE TABLE metrics_reanalysis_queue (
      activity_id bigint PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      start_date timestamptz NOT NULL,
      -- Failed attempts: an activity that fails every time is left with its metrics after a few.
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`.execute(db);
  await sql`CREATE INDEX metrics_reanalysis_queue_order ON metrics_reanalysis_queue (athlete_id, start_date, activity_id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE metrics_reanalysis_athletes (
      athlete_id bigint PRIMARY KEY REFERENCES athletes(id) ON DELETE CASCADE,
      -- The history's highest heart rate is rebuilt from the re-analysed activities only (set once per athlete).
      max_hr_reset boolean NOT NULL DEFAULT false
    )`.execute(db);
  await sql`
    INSERT INTO metrics_reanalysis_queue (activity_id, athlete_id, start_date)
    SELECT id, athlete_id, start_date FROM activities`.execute(db);
  await sql`
    INSERT INTO metrics_reanalysis_athletes (athlete_id)
    SELECT DISTINCT athlete_id FROM activities`.execute(db);
}
