import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/connect.ts';
import { insertOauthState } from '../../db/queries/oauth-states.ts';

const stateLifetimeMs = 10 * 60_000;

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/**
 * A one-time connect link for a Discord user: a random state (only its hash is stored) that expires in
 * ten minutes. `/connect` and `cli connect-link` both call this.
 */
export async function createConnectLink(
  db: Db,
  publicUrl: string,
  discordUserId: string,
  now = new Date(),
): Promise<{ url: string; expiresAt: Date }> {
  const state = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + stateLifetimeMs);
  await insertOauthState(db, hashState(state), discordUserId, expiresAt);
  return { url: `${publicUrl}/strava/connect/${state}`, expiresAt };
}
