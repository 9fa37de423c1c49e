import type { Generated, Insertable, Selectable } from 'kysely';

export interface StravaConnectionsTable {
  athlete_id: string;
  /** Fernet tokens; the plaintext never reaches the database. */
  access_token_enc: string;
  refresh_token_enc: string;
  expires_at: Date;
  scope: string;
  status: Generated<'active' | 'needs_reauth'>;
  status_notified_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type StravaConnectionRow = Selectable<StravaConnectionsTable>;
export type NewStravaConnectionRow = Insertable<StravaConnectionsTable>;
