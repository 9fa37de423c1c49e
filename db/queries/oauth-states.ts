import type { Db } from '../connect.ts';
import type { OauthStateRow } from '../tables/oauth-states.ts';

export async function insertOauthState(db: Db, stateHash: string, discordUserId: string, expiresAt: Date) {
  await db
    .insertInto('oauth_states')
    .values({ state_hash: stateHash, discord_user_id: discordUserId, expires_at: expiresAt })
    .execute();
}

export type ConsumeStateResult =
  | { ok: true; discordUserId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/** Marks a state used, atomically: of two concurrent callbacks with one state, only one succeeds. */
export async function consumeOauthState(db: Db, stateHash: string, now: Date): Promise<ConsumeStateResult> {
  const used = await db
    .updateTable('oauth_states')
    .set({ used_at: now })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('discord_user_id')
    .executeTakeFirst();
  if (used) return { ok: true, discordUserId: used.discord_user_id };
  const row = await findOauthState(db, stateHash);
  if (!row) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: row.used_at ? 'used' : 'expired' };
}

export function findOauthState(db: Db, stateHash: string): Promise<OauthStateRow | undefined> {
  return db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
}
