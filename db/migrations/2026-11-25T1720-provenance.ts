import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Every source that delivered a workout, whether its streams are the ones kept, and why. One activity
  // may have several (a FIT upload and the Strava webhook for the same ride).
  await sql`
    CREATE TABLE activity_sources (
      id bigserial PRIMARY KEY,
      activity_id bigint NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('strava_api', 'file_upload', 'strava_export')),
      source_ref text NOT NULL,
      file_name text,
      format text CHECK (format IN ('fit', 'tcx', 'gpx')),
      channels text[] NOT NULL DEFAULT '{}',
      sample_count integer NOT NULL DEFAULT 0 CHECK (sample_count >= 0),
      kept boolean NOT NULL,
      reason text NOT NULL,
      warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
      received_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (athlete_id, source, source_ref)
    )`.execute(db);
  await sql`CREATE INDEX activity_sources_activity ON activity_sources (activity_id)`.execute(db);
  // Duplicate detection looks activities up by start time.
  await sql`CREATE INDEX activities_athlete_start ON activities (athlete_id, start_date)`.execute(db);

  // A Strava bulk export being imported: from the signed upload link to the last entry.
  await sql`
    CREATE TABLE export_imports (
      id bigserial PRIMARY KEY,
      athlete_id bigint NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
      state text NOT NULL DEFAULT 'awaiting_upload'
        CHECK (state IN ('awaiting_upload', 'uploading', 'queued', 'running', 'done', 'failed')),
      link_expires_at timestamptz,
      file_name text,
      byte_size bigint CHECK (byte_size >= 0),
      local_path text,
      total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
      imported integer NOT NULL DEFAULT 0 CHECK (imported >= 0),
      duplicates integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
      failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
      skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
      notify_discord_user_id text,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX export_imports_athlete ON export_imports (athlete_id, created_at DESC)`.execute(db);

  // The uploaded ZIP, in chunks: any worker can read it, whichever web process received it.
  await sql`
    CREATE TABLE export_import_chunks (
      import_id bigint NOT NULL REFERENCES export_imports(id) ON DELETE CASCADE,
      seq integer NOT NULL CHECK (seq >= 0),
      data bytea NOT NULL,
      PRIMARY KEY (import_id, seq)
    )`.execute(db);

  // Each ZIP entry handled: a restarted import skips these.
  await sql`
    CREATE TABLE export_import_entries (
      import_id bigint NOT NULL REFERENCES export_imports(id) ON DELETE CASCADE,
      entry_name text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'failed', 'skipped')),
      activity_id bigint REFERENCES activities(id) ON DELETE SET NULL,
      message text,
      PRIMARY KEY (import_id, entry_name)
    )`.execute(db);
}
