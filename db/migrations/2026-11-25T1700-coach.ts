import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The coach conversation per athlete. 'summary' rows stand in for older turns that were folded away.
  // `strava_api_derived` marks text that may carry numbers from Strava API data (rule-based answers,
  // answers given while COACH_STRAVA_DATA=include), so the AI firewall can keep it from the model.
  await sql`
    CREATE TABLE coach_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('user', 'assistant', 'summary')),
      content text NOT NULL,
      tool_data jsonb,
      mode text CHECK (mode IN ('ai', 'rule-based')),
      strava_api_derived boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX coach_messages_athlete ON coach_messages (athlete_id, id DESC)`.execute(db);

  // Tokens spent per athlete per (athlete-local) day, for the daily budget.
  await sql`
    CREATE TABLE coach_usage (
      athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
      date date NOT NULL,
      prompt_tokens integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
      completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
      requests integer NOT NULL DEFAULT 0 CHECK (requests >= 0),
      PRIMARY KEY (athlete_id, date)
    )`.execute(db);
}
