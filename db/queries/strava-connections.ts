import type { Db } from '../connect.ts';
import type { StravaConnectionRow } from '../tables/strava-connections.ts';

export function findConnection(db: Db, athleteId: string): Promise<StravaConnectionRow | undefined> {
  return db
    .selectFrom('strava_connections')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .executeTakeFirst();
}

/** Stores encrypted tokens; reconnecting replaces them and clears a needs-reauth state. */
export async function upsertConnection(
  db: Db,
  row: { athleteId: string; accessTokenEnc: string; refreshTokenEnc: string; expiresAt: Date; scope: string },
): Promise<void> {
  const values = {
    access_token_enc: row.accessTokenEnc,
    refresh_token_enc: row.refreshTokenEnc,
    expires_at: row.expiresAt,
    scope: row.scope,
    status: 'active' as const,
    status_notified_at: null,
  };
  await db
    .insertInto('strava_connections')
    .values({ athlete_id: row.athleteId, ...values })
    .onConflict((oc) => oc.column('athlete_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/**
 * The connection locked for a token refresh, with whom to tell when Strava refuses it. A connection another
 * job holds is skipped (undefined): waiters must not each hold a pooled connection while one refreshes.
 */
export function lockConnectionForRefresh(db: Db, athleteId: string) {
  return db
    .selectFrom('strava_connections')
    .innerJoin('athletes', 'athletes.id', 'strava_connections.athlete_id')
    .select([
      'strava_connections.access_token_enc',
      'strava_connections.refresh_token_enc',
      'strava_connections.expires_at',
      'strava_connections.status',
      'strava_connections.status_notified_at',
      'athletes.discord_user_id',
    ])
    .where('strava_connections.athlete_id', '=', athleteId)
    .forUpdate('strava_connections')
    .skipLocked()
    .executeTakeFirst();
}

/** Stores the encrypted tokens of a refresh. */
export async function storeRefreshedTokens(
  db: Db,
  athleteId: string,
  tokens: { accessTokenEnc: string; refreshTokenEnc: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .updateTable('strava_connections')
    .set({
      access_token_enc: tokens.accessTokenEnc,
      refresh_token_enc: tokens.refreshTokenEnc,
      expires_at: tokens.expiresAt,
      updated_at: now,
    })
    .where('athlete_id', '=', athleteId)
    .execute();
}

/** Strava refused the refresh token: the athlete must connect again (`notifiedAt`: when they were told). */
export async function markNeedsReauth(db: Db, athleteId: string, notifiedAt: Date, now: Date): Promise<void> {
  await db
    .updateTable('strava_connections')
    .set({ status: 'needs_reauth', status_notified_at: notifiedAt, updated_at: now })
    .where('athlete_id', '=', athleteId)
    .execute();
}

export async function deleteConnection(db: Db, athleteId: string): Promise<void> {
  await db.deleteFrom('strava_connections').where('athlete_id', '=', athleteId).execute();
}
