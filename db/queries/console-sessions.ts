import type { Db } from '../connect.ts';
import type { ConsoleSessionRow } from '../tables/console.ts';

/** The operator console's one-time login links and its sessions, both stored by the hash of their token. */

const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

export async function insertLoginLink(db: Db, tokenHash: string, expiresAt: Date): Promise<void> {
  await db
    .insertInto('console_login_links')
    .values({ token_hash: tokenHash, expires_at: expiresAt })
    .execute();
}

/** Uses up a login link: true when an unexpired one had this hash (it is gone afterwards). */
export async function deleteLoginLink(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const row = await db
    .deleteFrom('console_login_links')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .returning('token_hash')
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes login links that expired before `now`; returns how many. */
export async function deleteExpiredLoginLinks(db: Db, now: Date): Promise<number> {
  return deleted(await db.deleteFrom('console_login_links').where('expires_at', '<', now).executeTakeFirst());
}

export async function insertSession(
  db: Db,
  session: { tokenHash: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({ token_hash: session.tokenHash, csrf_token: session.csrfToken, expires_at: session.expiresAt })
    .execute();
}

/** The unexpired session with this token hash. */
export function findSessionByHash(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<ConsoleSessionRow | undefined> {
  return db
    .selectFrom('console_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Deletes sessions that expired before `now`; returns how many. */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  return deleted(await db.deleteFrom('console_sessions').where('expires_at', '<', now).executeTakeFirst());
}

/** The real athlete the session's operator opened (null: back to the demo athlete). */
export async function setSessionAthlete(db: Db, tokenHash: string, athleteId: string | null): Promise<void> {
  await db
    .updateTable('console_sessions')
    .set({ opened_athlete_id: athleteId })
    .where('token_hash', '=', tokenHash)
    .execute();
}
