import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A fair forecast: days without a plan count the athlete's recent average unless they choose zero.
  // Nobody could choose the old default knowingly (it was the only behaviour shown), so it moves too.
  await sql`ALTER TABLE athletes ALTER COLUMN forecast_unplanned SET DEFAULT 'recent_average'`.execute(db);
  await sql`UPDATE athletes SET forecast_unplanned = 'recent_average' WHERE forecast_unplanned = 'zero'`.execute(
    db,
  );
  // The message after every new workout: on by default, off in /settings.
  await sql`ALTER TABLE athletes ADD COLUMN workout_dm_enabled boolean NOT NULL DEFAULT true`.execute(db);
  // Thresholds estimated from the athlete's history, offered with their source; nothing changes until the
  // athlete accepts. `activity_id` is the workout that implied a raised value (one proposal per workout and
  // kind), null for estimates from the whole history.
  await sql`
    CREATE TABLE threshold_proposals (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('ftp', 'lthr', 'max_hr', 'rest_hr', 'threshold_pace', 'swim_threshold_pace')),
      value double precision NOT NULL CHECK (value > 0 AND value < 'Infinity'::float8),
      effective_date date NOT NULL,
      method text NOT NULL,
      source text NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
      activity_id bigint REFERENCES activities (id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'ignored', 'superseded')),
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      CHECK ((status = 'pending') = (resolved_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX threshold_proposals_athlete ON threshold_proposals (athlete_id, created_at DESC)`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX threshold_proposals_activity_kind ON threshold_proposals (activity_id, kind)
    WHERE activity_id IS NOT NULL`.execute(db);
  // One post-workout message per activity: a row is queued when the workout arrives live, claimed by the
  // worker that sends it (so two workers never both send), and marked sent.
  await sql`
    CREATE TABLE workout_messages (
      activity_id bigint PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'sent', 'skipped')),
      claimed_at timestamptz,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX workout_messages_pending ON workout_messages (athlete_id) WHERE status = 'pending'`.execute(
    db,
  );
}
