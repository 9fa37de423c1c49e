import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Planned workouts. `sport` is a Strava sport type (or a family name); matching compares families.
  // One activity fulfils at most one plan (UNIQUE); deleting the activity frees the plan (trigger below).
  await sql`
    CREATE TABLE planned_workouts (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      date date NOT NULL,
      sport text NOT NULL CHECK (length(sport) BETWEEN 1 AND 40),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
      description text CHECK (length(description) <= 1000),
      planned_duration_s integer CHECK (planned_duration_s BETWEEN 1 AND 86400),
      planned_stress double precision CHECK (planned_stress >= 0 AND planned_stress <= 2000),
      target jsonb,
      status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'missed', 'moved')),
      moved_from date,
      activity_id bigint UNIQUE REFERENCES activities(id) ON DELETE SET NULL,
      -- 'none': the athlete said no activity fulfils it, so automatic matching leaves it alone.
      matched_by text CHECK (matched_by IN ('auto', 'manual', 'none')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((activity_id IS NULL) = (matched_by IS NULL OR matched_by = 'none'))
    )`.execute(db);
  await sql`CREATE INDEX planned_workouts_athlete_day ON planned_workouts (athlete_id, date)`.execute(db);

  // ON DELETE SET NULL runs as an UPDATE of this table, so this also fires when a matched activity is
  // deleted: the plan goes back to open instead of claiming "done" with no activity.
  await sql`
    CREATE FUNCTION planned_workouts_unmatched() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.activity_id IS NULL AND OLD.activity_id IS NOT NULL THEN
        IF NEW.matched_by IS DISTINCT FROM 'none' THEN
          NEW.matched_by := NULL;
        END IF;
        IF NEW.status = 'done' THEN
          NEW.status := CASE WHEN NEW.moved_from IS NULL THEN 'planned' ELSE 'moved' END;
        END IF;
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER planned_workouts_unmatched BEFORE UPDATE OF activity_id ON planned_workouts
    FOR EACH ROW EXECUTE FUNCTION planned_workouts_unmatched()`.execute(db);

  // Race goals: the form (TSB) the athlete wants to bring into the race day. One goal per day.
  await sql`
    CREATE TABLE race_goals (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      date date NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      target_tsb double precision CHECK (target_tsb BETWEEN -100 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (athlete_id, date)
    )`.execute(db);

  // How forecasts count days without a plan: a property of the athlete (every forecast, with or without
  // a goal, and the coach's what-ifs use it), not of one goal.
  await sql`
    ALTER TABLE athletes ADD COLUMN forecast_unplanned text NOT NULL DEFAULT 'zero'
      CHECK (forecast_unplanned IN ('zero', 'recent_average'))`.execute(db);
}
