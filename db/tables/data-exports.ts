import type { Generated, Selectable } from 'kysely';

export interface DataExportsTable {
  id: Generated<string>;
  athlete_id: string;
  file_name: string;
  size_bytes: number;
  /** The ZIP itself; the row is deleted when its one-time link is used. */
  data: Buffer;
  created_at: Generated<Date>;
  expires_at: Date;
}
export type DataExportRow = Selectable<DataExportsTable>;
