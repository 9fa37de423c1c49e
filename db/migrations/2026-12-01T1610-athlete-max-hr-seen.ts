import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The highest heart rate of each activity, as a column (it was only inside the metrics JSON).
  await sql`ALTER TABLE activity_metrics ADD COLUMN max_hr double precision CHECK (max_hr >= 0)`.execute(db);
  // CASE, not AND: Postgres may evaluate the cast before the type test, and a non-number must not fail.
  await sql`
    UPDATE activity_metrics SET max_hr = CASE
      WHEN jsonb_typeof(metrics->'hr'->'max') = 'number' THEN greatest((metrics->'hr'->>'max')::float8, 0)
    END
    WHERE jsonb_typeof(metrics->'hr'->'max') = 'number'`.execute(db);
  await sql`CREATE INDEX activity_metrics_athlete_max_hr ON activity_metrics (athlete_id, max_hr)`.execute(
    db,
  );

  // The highest heart rate seen in the athlete's history (METRICS.md §4, stands in for an unset max HR),
  // kept as metrics are written instead of scanned over every activity for each one analysed.
  await sql`ALTER TABLE athletes ADD COLUMN max_hr_seen double precision`.execute(db);
  await sql`
    UPDATE athletes SET max_hr_seen = m.max_hr
    FROM (SELECT athlete_id, max(max_hr) AS max_hr FROM activity_metrics GROUP BY athlete_id) m
    WHERE m.athlete_id = athletes.id`.execute(db);

  // Every path that writes or removes metrics (re-analysis, a Strava delete, a disconnect's cascade)
  // keeps it right. A new value only raises it; the full (indexed) lookup runs only when the activity
  // that held the highest value is lowered or removed.
  await sql`
    CREATE FUNCTION athlete_max_hr_seen() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      seen double precision;
    BEGIN
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.max_hr IS NOT NULL THEN
        UPDATE athletes SET max_hr_seen = NEW.max_hr
        WHERE id = NEW.athlete_id AND (max_hr_seen IS NULL OR max_hr_seen < NEW.max_hr);
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.max_hr IS NOT NULL
         AND (TG_OP = 'DELETE' OR NEW.max_hr IS NULL OR NEW.max_hr < OLD.max_hr
              OR NEW.athlete_id <> OLD.athlete_id) THEN
        SELECT max_hr_seen INTO seen FROM athletes WHERE id = OLD.athlete_id;
        IF seen IS NOT NULL AND OLD.max_hr >= seen THEN
          UPDATE athletes
          SET max_hr_seen = (SELECT max(max_hr) FROM activity_metrics WHERE athlete_id = OLD.athlete_id)
          WHERE id = OLD.athlete_id;
        END IF;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER athlete_max_hr_seen AFTER INSERT OR UPDATE OF max_hr, athlete_id OR DELETE
    ON activity_metrics FOR EACH ROW EXECUTE FUNCTION athlete_max_hr_seen()`.execute(db);
}
