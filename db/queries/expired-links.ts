import type { Db } from '../connect.ts';
import { deleteExpiredLoginLinks, deleteExpiredSessions } from './console-sessions.ts';
import { deleteExpiredExports } from './data-exports.ts';

/** A day of grace after expiry, so a link that just expired still reads as "expired", not "unknown". */
const graceMs = 24 * 3600_000;

/** How many rows of each kind one purge deleted. */
export interface PurgedLinks {
  oauthStates: number;
  dataExports: number;
  abandonedImports: number;
  consoleLoginLinks: number;
  consoleSessions: number;
}

/**
 * Housekeeping: deletes OAuth states, export downloads, import upload links that were never used, console
 * login links and console sessions once they have expired. Nothing here is of use after its expiry; the
 * write paths already clear some on the way, this catches the rest (a quiet server never takes that path).
 */
export async function purgeExpiredLinks(db: Db, now: Date): Promise<PurgedLinks> {
  const graceEnd = new Date(now.getTime() - graceMs);
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  const oauthStates = await db
    .deleteFrom('oauth_states')
    .where('expires_at', '<', graceEnd)
    .executeTakeFirst();
  const dataExports = await deleteExpiredExports(db, now);
  // An import still waiting for its upload after its link expired will never get one.
  const abandonedImports = await db
    .deleteFrom('export_imports')
    .where('state', '=', 'awaiting_upload')
    .where('link_expires_at', '<', graceEnd)
    .executeTakeFirst();
  const consoleLoginLinks = await deleteExpiredLoginLinks(db, now);
  const consoleSessions = await deleteExpiredSessions(db, now);
  return {
    oauthStates: count(oauthStates),
    dataExports,
    abandonedImports: count(abandonedImports),
    consoleLoginLinks,
    consoleSessions,
  };
}
