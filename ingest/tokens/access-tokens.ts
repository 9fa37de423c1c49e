import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import {
  findConnection,
  lockConnectionForRefresh,
  markNeedsReauth,
  storeRefreshedTokens,
} from '../../db/queries/strava-connections.ts';
import { AppError } from '../../lib/errors.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TokenCipher } from '../connect/oauth-port.ts';

/** Refresh this long before `expires_at`, so a token never expires mid-request. */
const refreshMarginMs = 10 * 60_000;

export interface TokenRefresher {
  /** Throws `RefreshRejectedError` when Strava refuses the refresh token (revoked, rotated away). */
  refresh: (refreshToken: string) => Promise<{ accessToken: string; refreshToken: string; expiresAt: Date }>;
}

export class RefreshRejectedError extends Error {
  override name = 'RefreshRejectedError';
}

/**
 * A valid access token for the athlete. Refreshing happens under a row lock on the connection, so
 * however many jobs ask at once (in any number of processes) Strava sees one refresh: Strava invalidates
 * the old refresh token the moment it issues a new one, so two refreshes would lose the connection.
 * A refresh Strava rejects marks the connection `needs_reauth` and tells the athlete once.
 */
export async function getAccessToken(
  deps: { db: Db; boss: PgBoss; cipher: TokenCipher; refresher: TokenRefresher; logger: Logger },
  athleteId: string,
  now: () => Date = () => new Date(),
  /**
   * An access token Strava just answered 401 to although its `expires_at` is ahead (Strava's clock or a
   * revocation disagrees with ours): while it is still the stored one, refresh now instead of at the margin.
   * Jobs that hit the same 401 at once still make one refresh: the first replaces the stored token.
   */
  rejectedToken?: string,
): Promise<string> {
  const due = (row: { access_token_enc: string; expires_at: Date }) =>
    row.expires_at.getTime() - now().getTime() <= refreshMarginMs ||
    (rejectedToken !== undefined && deps.cipher.decrypt(row.access_token_enc) === rejectedToken);
  const current = await findConnection(deps.db, athleteId);
  if (!current) throw notConnected();
  if (current.status === 'needs_reauth') throw needsReauth();
  if (!due(current)) return deps.cipher.decrypt(current.access_token_enc);
  // The transaction commits the needs_reauth mark even when the refresh failed; the error is thrown after.
  const attempt = () =>
    deps.db
      .transaction()
      .execute(async (trx): Promise<{ token: string } | { rejected: true } | { busy: true }> => {
        // Waiters must not each hold a pooled connection while one refreshes: skipped, they poll.
        const locked = await lockConnectionForRefresh(trx, athleteId);
        if (!locked) return { busy: true as const };
        if (locked.status === 'needs_reauth') throw needsReauth();
        // Another job refreshed between the first read and taking the lock.
        if (!due(locked)) return { token: deps.cipher.decrypt(locked.access_token_enc) };
        try {
          const fresh = await deps.refresher.refresh(deps.cipher.decrypt(locked.refresh_token_enc));
          await storeRefreshedTokens(
            trx,
            athleteId,
            {
              accessTokenEnc: deps.cipher.encrypt(fresh.accessToken),
              refreshTokenEnc: deps.cipher.encrypt(fresh.refreshToken),
              expiresAt: fresh.expiresAt,
            },
            now(),
          );
          deps.logger.info({ athleteId }, 'Strava token refreshed');
          return { token: fresh.accessToken };
        } catch (error) {
          if (!(error instanceof RefreshRejectedError)) throw error;
          await markNeedsReauth(trx, athleteId, locked.status_notified_at ?? now(), now());
          if (!locked.status_notified_at) {
            await deps.boss.send(
              jobNames.notify,
              { discordUserId: locked.discord_user_id, kind: 'needs_reauth', data: {} },
              { db: fromKysely(trx), priority: priorities.live },
            );
          }
          deps.logger.warn(
            { athleteId },
            'Strava rejected the refresh token; connection needs re-authorization',
          );
          return { rejected: true };
        }
      });
  let result = await attempt();
  for (let waited = 0; 'busy' in result; waited += 100) {
    if (waited > 30_000) throw new Error('timed out waiting for another job to refresh the Strava token');
    await sleep(100);
    const row = await findConnection(deps.db, athleteId);
    if (!row) throw notConnected();
    if (row.status === 'needs_reauth') throw needsReauth();
    if (!due(row)) return deps.cipher.decrypt(row.access_token_enc);
    result = await attempt();
  }
  if ('rejected' in result) throw needsReauth();
  return result.token;
}

function notConnected() {
  return new AppError('not_connected', {
    message: 'athlete has no Strava connection',
    userMessage: 'Connect Strava first: /connect',
  });
}

function needsReauth() {
  return new AppError('needs_reauth', {
    message: 'Strava connection needs re-authorization',
    userMessage: 'Strava no longer accepts this connection. Run /connect to reconnect.',
  });
}
