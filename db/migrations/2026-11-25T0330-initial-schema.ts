import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Forward-only; later changes get new files.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE athletes (
      id bigserial PRIMARY KEY,
      discord_user_id text NOT NULL UNIQUE CHECK (discord_user_id ~ '^[0-9]{17,20}$'),
      strava_athlete_id bigint UNIQUE CHECK (strava_athlete_id > 0),
      name text,
      sex text CHECK (sex IN ('male', 'female')),
      timezone text NOT NULL DEFAULT 'UTC',
      units text NOT NULL DEFAULT 'metric' CHECK (units IN ('metric', 'imperial')),
      digest_enabled boolean NOT NULL DEFAULT true,
      digest_time text NOT NULL DEFAULT '07:00' CHECK (digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      digest_disabled_reason text,
      ctl_days integer NOT NULL DEFAULT 42 CHECK (ctl_days BETWEEN 1 AND 365),
      atl_days integer NOT NULL DEFAULT 7 CHECK (atl_days BETWEEN 1 AND 365),
      seed_ctl double precision NOT NULL DEFAULT 0 CHECK (seed_ctl >= 0),
      seed_atl double precision NOT NULL DEFAULT 0 CHECK (seed_atl >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE athlete_thresholds (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('ftp', 'lthr', 'max_hr', 'rest_hr', 'threshold_pace', 'swim_threshold_pace')),
      value double precision NOT NULL CHECK (value > 0),
      effective_date date NOT NULL,
      source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'estimate', 'import')),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (athlete_id, kind, effective_date)
    )`.execute(db);

  await sql`
    CREATE TABLE strava_connections (
      athlete_id bigint PRIMARY KEY REFERENCES athletes(id) ON DELETE CASCADE,
      access_token_enc text NOT NULL,
      refresh_token_enc text NOT NULL,
      expires_at timestamptz NOT NULL,
      scope text NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth')),
      status_notified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Only a hash of the state is stored: the value itself travels in URLs and is a bearer secret.
  await sql`
    CREATE TABLE oauth_states (
      state_hash text PRIMARY KEY,
      discord_user_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE webhook_events (
      id bigserial PRIMARY KEY,
      dedup_key text NOT NULL UNIQUE,
      subscription_id bigint NOT NULL,
      object_type text NOT NULL CHECK (object_type IN ('activity', 'athlete')),
      object_id bigint NOT NULL,
      aspect_type text NOT NULL CHECK (aspect_type IN ('create', 'update', 'delete')),
      owner_id bigint NOT NULL,
      event_time bigint NOT NULL,
      updates jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'ignored', 'failed')),
      detail text,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE activities (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('strava_api', 'file_upload', 'strava_export')),
      strava_id bigint UNIQUE CHECK (strava_id > 0),
      name text NOT NULL DEFAULT '',
      sport_type text NOT NULL,
      start_date timestamptz NOT NULL,
      start_date_local timestamp NOT NULL,
      local_date date NOT NULL,
      timezone text,
      distance_m double precision CHECK (distance_m >= 0),
      moving_time_s integer CHECK (moving_time_s >= 0),
      elapsed_time_s integer CHECK (elapsed_time_s >= 0),
      elevation_gain_m double precision CHECK (elevation_gain_m >= 0),
      manual boolean NOT NULL DEFAULT false,
      private boolean NOT NULL DEFAULT false,
      streams_state text NOT NULL DEFAULT 'pending' CHECK (streams_state IN ('pending', 'stored', 'none', 'purged')),
      summary jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX activities_athlete_day ON activities (athlete_id, local_date DESC)`.execute(db);

  // Streams are stored as gzip'd key_by_type JSON: compact, and read back whole for re-analysis.
  await sql`
    CREATE TABLE activity_streams (
      activity_id bigint PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
      channels text[] NOT NULL,
      sample_count integer NOT NULL CHECK (sample_count >= 0),
      data bytea NOT NULL,
      fetched_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE activity_metrics (
      activity_id bigint PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      stress double precision NOT NULL CHECK (stress >= 0),
      stress_method text NOT NULL CHECK (stress_method IN ('power', 'pace', 'swim', 'hr', 'estimated')),
      duration_s integer NOT NULL CHECK (duration_s >= 0),
      moving_s integer NOT NULL CHECK (moving_s >= 0),
      np_w double precision CHECK (np_w >= 0),
      intensity double precision CHECK (intensity >= 0),
      avg_hr double precision CHECK (avg_hr >= 0),
      decoupling_pct double precision,
      metrics jsonb NOT NULL,
      thresholds_used jsonb NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX activity_metrics_athlete ON activity_metrics (athlete_id)`.execute(db);

  await sql`
    CREATE TABLE daily_load (
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      date date NOT NULL,
      stress double precision NOT NULL CHECK (stress >= 0),
      ctl double precision NOT NULL,
      atl double precision NOT NULL,
      tsb double precision NOT NULL,
      ramp double precision NOT NULL,
      sources text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (athlete_id, date)
    )`.execute(db);

  await sql`
    CREATE TABLE sync_runs (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('initial', 'backfill')),
      requested integer NOT NULL CHECK (requested > 0),
      update_existing boolean NOT NULL DEFAULT false,
      listed integer NOT NULL DEFAULT 0 CHECK (listed >= 0),
      synced integer NOT NULL DEFAULT 0 CHECK (synced >= 0),
      skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
      failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
      state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'listing', 'syncing', 'waiting_rate_limit', 'done', 'failed', 'cancelled')),
      next_page integer NOT NULL DEFAULT 1 CHECK (next_page >= 1),
      resume_at timestamptz,
      error text,
      notify jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX sync_runs_athlete ON sync_runs (athlete_id, created_at DESC)`.execute(db);

  // The activities a backfill listed, so a restart resumes without listing again or losing any.
  await sql`
    CREATE TABLE sync_run_items (
      sync_run_id bigint NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
      strava_id bigint NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'skipped', 'failed')),
      summary jsonb NOT NULL,
      error text,
      PRIMARY KEY (sync_run_id, strava_id)
    )`.execute(db);

  // One row: the application's Strava rate-limit budget, shared by every worker process.
  await sql`
    CREATE TABLE strava_rate_limit (
      id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      window_start timestamptz NOT NULL,
      day_start timestamptz NOT NULL,
      overall_15min integer NOT NULL DEFAULT 0,
      overall_day integer NOT NULL DEFAULT 0,
      read_15min integer NOT NULL DEFAULT 0,
      read_day integer NOT NULL DEFAULT 0,
      limit_overall_15min integer NOT NULL DEFAULT 200,
      limit_overall_day integer NOT NULL DEFAULT 2000,
      limit_read_15min integer NOT NULL DEFAULT 100,
      limit_read_day integer NOT NULL DEFAULT 1000,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}
