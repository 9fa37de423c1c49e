import { analyzeStoredActivity, storeStreams } from '../../activities/activity-store.ts';
import { type Db, inTransaction } from '../../db/connect.ts';
import { activityProvenance } from '../../db/queries/activities.ts';
import {
  clearStreamsRefetchDue,
  countStreamsRefetchDue,
  streamsRefetchDue,
} from '../../db/queries/activity-streams.ts';
import { lockAthlete } from '../../db/queries/athletes.ts';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { type StravaApi, StravaUnauthorizedError } from '../strava-port.ts';
import type { IngestContext } from '../strava-services.ts';

/**
 * Re-analyses one stored activity. When the retention job purged its Strava streams, they are fetched
 * again first, through the Strava client and so within the shared rate-limit budget (at backfill
 * priority: live work goes first). A `RateLimitWaitError` propagates so the caller can wait for the next
 * window. When the streams cannot be had (Strava not configured, athlete disconnected, activity gone),
 * the metrics computed while the streams existed are kept rather than replaced by a summary estimate.
 */
export async function reanalyzeActivity(
  ctx: Pick<IngestContext, 'db' | 'strava' | 'logger'>,
  activityId: string,
): Promise<'analysed' | 'kept'> {
  const activity = await activityProvenance(ctx.db, activityId);
  if (!activity) throw new Error(`no activity ${activityId}`);
  if (activity.streams_state === 'purged') {
    const log = ctx.logger.child({ activityId, athleteId: activity.athlete_id });
    if (activity.source !== 'strava_api' || !activity.strava_id || !ctx.strava) {
      log.warn('streams were purged and cannot be refetched; metrics kept');
      return 'kept';
    }
    let streams: Record<string, unknown> | null;
    try {
      const token = await ctx.strava.sync.accessToken(activity.athlete_id);
      streams = await ctx.strava.sync.api.getStreams(token, activity.strava_id, 'backfill');
    } catch (error) {
      const disconnected =
        error instanceof StravaUnauthorizedError ||
        (error instanceof AppError && (error.code === 'not_connected' || error.code === 'needs_reauth'));
      if (!disconnected) throw error;
      log.warn({ err: error }, 'cannot refetch purged streams (Strava access gone); metrics kept');
      return 'kept';
    }
    if (!streams) {
      log.warn('Strava has no streams for a purged activity any more; metrics kept');
      return 'kept';
    }
    await storeStreams(ctx.db, activity.id, streams);
    await clearStreamsRefetchDue(ctx.db, activity.id);
  }
  await analyzeStoredActivity(ctx.db, activity.id);
  return 'analysed';
}

/**
 * Fetches again, at the athlete's sync, up to `limit` streams a re-analysis needed but the retention job
 * had purged (`streams_refetch_due`), oldest first, and re-analyses those activities; `changed.earliest`
 * gets the earliest day whose PMC must be recomputed. A `RateLimitWaitError` propagates (the sync waits
 * for the next window and resumes). When Strava has no streams any more the mark is cleared and the
 * metrics computed while they existed stay. Returns how many remain due.
 */
export async function refetchDueStreams(
  deps: { db: Db; api: StravaApi; logger: Logger },
  athleteId: string,
  token: string,
  changed: { earliest: string | null },
  limit: number,
): Promise<number> {
  const due = await streamsRefetchDue(deps.db, athleteId, limit);
  for (const activity of due) {
    const streams = activity.strava_id
      ? await deps.api.getStreams(token, activity.strava_id, 'backfill')
      : null;
    await inTransaction(deps.db, async (trx) => {
      await lockAthlete(trx, athleteId);
      if (streams) {
        await storeStreams(trx, activity.id, streams);
        const day = await analyzeStoredActivity(trx, activity.id);
        if (changed.earliest === null || day < changed.earliest) changed.earliest = day;
      } else {
        deps.logger.warn(
          { activityId: activity.id, athleteId },
          'Strava has no streams for a purged activity any more; metrics kept',
        );
      }
      await clearStreamsRefetchDue(trx, activity.id);
    });
  }
  return countStreamsRefetchDue(deps.db, athleteId);
}
