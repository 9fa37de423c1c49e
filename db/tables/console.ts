import type { Generated, Selectable } from 'kysely';

export interface ConsoleLoginLinksTable {
  /** sha256 of the one-time token in the printed link. */
  token_hash: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

export interface ConsoleSessionsTable {
  /** sha256 of the session cookie's value. */
  token_hash: string;
  csrf_token: string;
  expires_at: Date;
  /** A real athlete the operator opened explicitly (logged); null: the demo athlete. */
  opened_athlete_id: string | null;
  created_at: Generated<Date>;
}
export type ConsoleSessionRow = Selectable<ConsoleSessionsTable>;
