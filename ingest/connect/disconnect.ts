import { removeStravaData, type StravaDataRemoved } from '../../activities/record-delivery.ts';
import type { Db } from '../../db/connect.ts';
import { unlinkStravaAthlete } from '../../db/queries/athletes.ts';
import { deleteConnection, findConnection } from '../../db/queries/strava-connections.ts';
import { cancelActiveSyncRuns } from '../../db/queries/sync-runs.ts';
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
  const connection = await findConnection(deps.db, athleteId);
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
    await deleteConnection(trx, athleteId);
    await cancelActiveSyncRuns(trx, athleteId, new Date());
    // The PMC is recomputed in the same transaction, unless the caller queues it (`recompute: false`).
    const removed = await removeStravaData(trx, athleteId, {
      keepDerived: options.keepDerived,
      recompute: options.recompute ?? true,
    });
    // The name came from the Strava profile.
    await unlinkStravaAthlete(trx, athleteId);
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
