import type { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import { linkStravaAthlete, lockAthleteByStravaId } from '../../db/queries/athletes.ts';
import { consumeOauthState } from '../../db/queries/oauth-states.ts';
import { upsertConnection } from '../../db/queries/strava-connections.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { Logger } from '../../lib/logger.ts';
import { startSync } from '../sync/start-sync.ts';
import { hashState } from './connect-links.ts';
import { AthleteLimitReachedError, type StravaOAuthPort, type TokenCipher } from './oauth-port.ts';

const requiredScope = 'activity:read_all';
const initialSyncCount = 30;

export type ConnectionOutcome =
  | { kind: 'connected'; athleteId: string; discordUserId: string; runId: string }
  | { kind: 'bad_state'; reason: 'missing' | 'unknown' | 'expired' | 'used' }
  | { kind: 'denied' }
  | { kind: 'scope_missing'; granted: string }
  | { kind: 'claimed_by_other_user' }
  | { kind: 'athlete_limit' }
  | { kind: 'exchange_failed' };

/**
 * Strava's redirect back: a one-time state, the athlete's decision, the granted scope, and the code to
 * exchange. Tokens are encrypted before they are stored; the initial sync and the "connected" DM are
 * enqueued in the same transaction as the connection.
 */
export async function completeConnection(
  deps: {
    db: Db;
    boss: PgBoss;
    oauth: StravaOAuthPort;
    cipher: TokenCipher;
    logger: Logger;
    /** Also told by DM when Strava refuses athletes for the app's cap (OPERATOR_DISCORD_USER_ID). */
    operatorDiscordUserId?: string | null;
  },
  query: { state?: string; code?: string; scope?: string; error?: string },
  now = new Date(),
): Promise<ConnectionOutcome> {
  const log = deps.logger.child({ subsystem: 'connect' });
  if (!query.state) return { kind: 'bad_state', reason: 'missing' };
  const consumed = await consumeOauthState(deps.db, hashState(query.state), now);
  if (!consumed.ok) {
    log.warn({ reason: consumed.reason }, 'OAuth callback with a bad state');
    return { kind: 'bad_state', reason: consumed.reason };
  }
  const discordUserId = consumed.discordUserId;
  if (query.error) {
    log.info({ discordUserId, error: query.error }, 'athlete declined on Strava');
    return { kind: 'denied' };
  }
  const granted = query.scope ?? '';
  if (!granted.split(',').includes(requiredScope)) {
    log.info({ discordUserId, granted }, 'athlete did not grant activity:read_all');
    return { kind: 'scope_missing', granted };
  }
  if (!query.code) return { kind: 'exchange_failed' };

  let tokens: Awaited<ReturnType<StravaOAuthPort['exchangeCode']>>;
  try {
    tokens = await deps.oauth.exchangeCode(query.code);
  } catch (error) {
    if (error instanceof AthleteLimitReachedError) {
      log.error(
        { discordUserId },
        'Strava refused the connection: the application reached its athlete limit; ask Strava to raise the athlete capacity',
      );
      await notifyAthleteLimit(deps, discordUserId).catch((notifyError) =>
        log.warn({ err: notifyError }, 'could not queue the athlete-limit DMs'),
      );
      return { kind: 'athlete_limit' };
    }
    log.error({ err: error, discordUserId }, 'code exchange failed');
    return { kind: 'exchange_failed' };
  }

  const stravaAthleteId = String(tokens.athlete.id);
  const outcome = await deps.db.transaction().execute(async (trx): Promise<ConnectionOutcome> => {
    const owner = await lockAthleteByStravaId(trx, stravaAthleteId);
    if (owner && owner.discord_user_id !== discordUserId) return { kind: 'claimed_by_other_user' };
    const name = [tokens.athlete.firstname, tokens.athlete.lastname].filter(Boolean).join(' ') || null;
    const athleteId = await linkStravaAthlete(trx, {
      discordUserId,
      stravaAthleteId,
      name,
      sex: tokens.athlete.sex,
      now,
    });
    await upsertConnection(trx, {
      athleteId,
      accessTokenEnc: deps.cipher.encrypt(tokens.accessToken),
      refreshTokenEnc: deps.cipher.encrypt(tokens.refreshToken),
      expiresAt: tokens.expiresAt,
      scope: granted,
    });
    const { runId } = await startSync(trx, deps.boss, {
      athleteId,
      kind: 'initial',
      count: initialSyncCount,
      updateExisting: false,
      notify: { dm: discordUserId },
    });
    await deps.boss.send(
      jobNames.notify,
      { discordUserId, kind: 'connected', data: { count: initialSyncCount } },
      { db: fromKysely(trx), priority: priorities.live },
    );
    return { kind: 'connected', athleteId, discordUserId, runId };
  });
  if (outcome.kind === 'claimed_by_other_user') {
    log.warn({ discordUserId }, 'Strava athlete already connected to another Discord user');
    // The new grant is not needed: give it back rather than leave a live token behind.
    await deps.oauth.deauthorize(tokens.accessToken).catch(() => {});
  } else if (outcome.kind === 'connected') {
    log.info({ athleteId: outcome.athleteId }, 'Strava connected');
  }
  return outcome;
}

/**
 * The athlete hears by DM too (the browser tab is easily closed); the operator, when configured, at
 * most once an hour however many athletes are refused meanwhile.
 */
async function notifyAthleteLimit(
  deps: { boss: PgBoss; operatorDiscordUserId?: string | null },
  discordUserId: string,
): Promise<void> {
  await deps.boss.send(
    jobNames.notify,
    { discordUserId, kind: 'athlete_limit', data: {} },
    { priority: priorities.live },
  );
  if (deps.operatorDiscordUserId) {
    await deps.boss.send(
      jobNames.notify,
      {
        discordUserId: deps.operatorDiscordUserId,
        kind: 'athlete_limit_operator',
        data: { discordUserId },
      },
      { priority: priorities.live, singletonKey: 'athlete-limit-operator', singletonSeconds: 3600 },
    );
  }
}
