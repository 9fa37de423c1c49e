import { removeStravaData, type StravaDataRemoved } from '../../activities/record-delivery.ts';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TokenCipher } from './oauth-port.ts';

export interface DisconnectResult extends StravaDataRemoved {
  wasConnected: boolean;
  deauthorizedAtStrava: boolean;
}

/**
 * Forgets an athlete's Strava connection: deauthorizes at Strava (unless Strava already revoked it),
 * deletes the tokens, and deletes the athlete's Strava API data — activities with their streams and
 * metrics — unless `keepDerived`, which keeps each activity's derived numbers (stress, metrics, the PMC)
 * but deletes its raw streams and Strava's summary JSON. Data from other sources (file uploads, exports)
 * is never touched. The PMC is recomputed (activities/), unless `recompute` is false: the caller queues it.
 */
export async function disconnectStrava(
  deps: { db: Db; cipher: TokenCipher; deauthorize: (accessToken: string) => Promise<void>; logger: Logger },
  athleteId: string,
  options: { keepDerived: boolean; alreadyRevoked: boolean; recompute?: boolean },
): Promise<DisconnectResult> {
  const connection = await deps.db
    .selectFrom('strava_connections')
    .select(['access_token_enc'])
    .where('athlete_id', '=', athleteId)
    .executeTakeFirst();
  let deauthorizedAtStrava = false;
  if (connection && !options.alreadyRevoked) {
    try {
      await deps.deauthorize(deps.cipher.decrypt(connection.access_token_enc));
      deauthorizedAtStrava = true;
    } catch (error) {
      // Forgetting locally must not depend on Strava answering: the tokens go either way.
      deps.logger.warn({ err: error, athleteId }, 'Strava deauthorize failed; deleting tokens anyway');
    }
  }
  return deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('strava_connections').where('athlete_id', '=', athleteId).execute();
    await trx
      .updateTable('sync_runs')
      .set({ state: 'cancelled', finished_at: new Date(), updated_at: new Date() })
      .where('athlete_id', '=', athleteId)
      .where('state', 'in', ['queued', 'listing', 'syncing', 'waiting_rate_limit'])
      .execute();
    // The PMC is recomputed in the same transaction, unless the caller queues it (`recompute: false`).
    const removed = await removeStravaData(trx, athleteId, {
      keepDerived: options.keepDerived,
      recompute: options.recompute ?? true,
    });
    await trx
      .updateTable('athletes')
      // The name came from the Strava profile.
      .set({ strava_athlete_id: null, name: null, updated_at: new Date() })
      .where('id', '=', athleteId)
      .execute();
    deps.logger.info(
      { athleteId, activitiesDeleted: removed.activitiesDeleted, keepDerived: options.keepDerived },
      'Strava disconnected',
    );
    return {
      wasConnected: connection !== undefined,
      deauthorizedAtStrava,
      ...removed,
    };
  });
}
