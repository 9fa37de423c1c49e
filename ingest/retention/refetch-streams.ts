import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../lib/errors.ts';
import { analyzeStoredActivity, storeStreams } from '../activities/activity-store.ts';
import { StravaUnauthorizedError } from '../strava-port.ts';

/**
 * Re-analyses one stored activity. When the retention job purged its Strava streams, they are fetched
 * again first, through the Strava client and so within the shared rate-limit budget (at backfill
 * priority: live work goes first). A `RateLimitWaitError` propagates so the caller can wait for the next
 * window. When the streams cannot be had (Strava not configured, athlete disconnected, activity gone),
 * the metrics computed while the streams existed are kept rather than replaced by a summary estimate.
 */
export async function reanalyzeActivity(
  ctx: Pick<AppContext, 'db' | 'analyze' | 'strava' | 'logger'>,
  activityId: string,
): Promise<'analysed' | 'kept'> {
  const activity = await ctx.db
    .selectFrom('activities')
    .select(['id', 'athlete_id', 'source', 'strava_id', 'streams_state'])
    .where('id', '=', activityId)
    .executeTakeFirstOrThrow();
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
  }
  await analyzeStoredActivity(ctx.db, ctx.analyze, activity.id);
  return 'analysed';
}
