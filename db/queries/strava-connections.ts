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
