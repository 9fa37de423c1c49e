import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Plan changes the AI coach proposed. Nothing touches planned_workouts until the athlete presses
  // "Apply" on the proposal; `changes` is the concrete list (add/move/delete/replace) applied then.
  await sql`
    CREATE TABLE coach_proposals (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
      changes jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'array'),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'dismissed', 'expired')),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL DEFAULT now() + interval '7 days',
      resolved_at timestamptz,
      CHECK ((status = 'pending') = (resolved_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX coach_proposals_athlete ON coach_proposals (athlete_id, created_at DESC)`.execute(
    db,
  );
}
