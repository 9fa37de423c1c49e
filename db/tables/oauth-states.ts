import type { Generated, Selectable } from 'kysely';

export interface OauthStatesTable {
  state_hash: string;
  discord_user_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}
export type OauthStateRow = Selectable<OauthStatesTable>;
