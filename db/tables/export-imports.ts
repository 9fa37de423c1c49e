import type { Generated, Selectable } from 'kysely';

export type ExportImportState = 'awaiting_upload' | 'uploading' | 'queued' | 'running' | 'done' | 'failed';

export interface ExportImportsTable {
  id: Generated<string>;
  athlete_id: string;
  state: Generated<ExportImportState>;
  link_expires_at: Date | null;
  file_name: string | null;
  byte_size: string | null;
  /** Set when the ZIP is on this machine's disk (the CLI); otherwise it is in export_import_chunks. */
  local_path: string | null;
  total: Generated<number>;
  imported: Generated<number>;
  duplicates: Generated<number>;
  failed: Generated<number>;
  skipped: Generated<number>;
  notify_discord_user_id: string | null;
  error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}
export type ExportImportRow = Selectable<ExportImportsTable>;

export interface ExportImportChunksTable {
  import_id: string;
  seq: number;
  data: Buffer;
}

export interface ExportImportEntriesTable {
  import_id: string;
  entry_name: string;
  outcome: 'imported' | 'duplicate' | 'failed' | 'skipped';
  activity_id: string | null;
  message: string | null;
}
