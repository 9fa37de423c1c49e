import type { Db } from '../../db/connect.ts';
import type { Logger } from '../../lib/logger.ts';
import type { TokenCipher } from './oauth-port.ts';

export interface DisconnectResult {
  wasConnected: boolean;
  deauthorizedAtStrava: boolean;
  activitiesDeleted: number;
  streamsDeleted: number;
  /** The earliest day whose PMC must be recomputed, or null when nothing changed. */
  recomputeFrom: string | null;
}

/**
 * Forgets an athlete's Strava connection: deauthorizes at Strava (unless Strava already revoked it),
 * deletes the tokens, and deletes the athlete's Strava API data — activities with their streams and
 * metrics — unless `keepDerived`, which keeps each activity's derived numbers (stress, metrics, the PMC)
 * but deletes its raw streams and Strava's summary JSON. Data from other sources (file uploads, exports)
 * is never touched.
 */
export async function disconnectStrava(
  deps: { db: Db; cipher: TokenCipher; deauthorize: (accessToken: string) => Promise<void>; logger: Logger },
  athleteId: string,
  options: { keepDerived: boolean; alreadyRevoked: boolean },
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
    const stravaActivities = trx
      .selectFrom('activities')
      .select('id')
      .where('athlete_id', '=', athleteId)
      .where('source', '=', 'strava_api');
    const earliest = await trx
      .selectFrom('activities')
      .select((eb) => eb.fn.min('local_date').as('first'))
      .where('athlete_id', '=', athleteId)
      .where('source', '=', 'strava_api')
      .executeTakeFirst();
    const streams = await trx
      .deleteFrom('activity_streams')
      .where('activity_id', 'in', stravaActivities)
      .executeTakeFirst();
    let activitiesDeleted = 0;
    if (options.keepDerived) {
      await trx
        .updateTable('activities')
        // Titles are Strava data too: the kept numbers are labelled by their sport instead.
        .set((eb) => ({
          summary: '{}',
          streams_state: 'purged',
          name: eb.ref('sport_type'),
          updated_at: new Date(),
        }))
        .where('athlete_id', '=', athleteId)
        .where('source', '=', 'strava_api')
        .execute();
    } else {
      const deleted = await trx
        .deleteFrom('activities')
        .where('athlete_id', '=', athleteId)
        .where('source', '=', 'strava_api')
        .executeTakeFirst();
      activitiesDeleted = Number(deleted.numDeletedRows);
    }
    await trx
      .updateTable('athletes')
      // The name came from the Strava profile.
      .set({ strava_athlete_id: null, name: null, updated_at: new Date() })
      .where('id', '=', athleteId)
      .execute();
    deps.logger.info(
      { athleteId, activitiesDeleted, keepDerived: options.keepDerived },
      'Strava disconnected',
    );
    return {
      wasConnected: connection !== undefined,
      deauthorizedAtStrava,
      activitiesDeleted,
      streamsDeleted: Number(streams.numDeletedRows),
      recomputeFrom: options.keepDerived || activitiesDeleted === 0 ? null : (earliest?.first ?? null),
    };
  });
}
