import { z } from 'zod';
import { findAthleteById, turnOffDigest } from '../../db/queries/athletes.ts';
import { claimDigest, releaseDigest } from '../../db/queries/digests.ts';
import { hasTrainingLoad } from '../../db/queries/training.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { digestAdvice } from '../digest/digest-advice-source.ts';
import { buildDigest } from '../digest/digest-message.ts';
import { DmsClosedError } from '../dm-sender.ts';

const dmsClosedNotice =
  'I could not DM you today’s form digest because your DMs are closed to me, so I turned the digest off. Allow DMs from this app, then `/settings digest:true` turns it back on.';

/** One athlete's digest for one local date: claimed first, so it is sent at most once. */
export const digestSendJob = defineJob({
  name: jobNames.digestSend,
  payload: z.object({ athleteId: z.string().regex(/^\d+$/), date: z.iso.date() }),
  queue: { policy: 'exclusive', retryLimit: 3, retryDelay: 60, retryBackoff: true },
  work: { batchSize: 20, localConcurrency: 2 },
  handler: async ({ athleteId, date }, ctx: BotContext) => {
    const log = ctx.logger.child({ job: jobNames.digestSend, athleteId, date });
    if (!ctx.dm) {
      log.info('Discord is not configured; digest not sent');
      return;
    }
    const athlete = await findAthleteById(ctx.db, athleteId);
    if (!athlete) return;
    // No training load yet: a daily "nothing to report" DM would only be noise (/digest still previews it).
    if (!(await hasTrainingLoad(ctx.db, athleteId))) {
      log.debug('no training load yet; no digest');
      return;
    }
    const claim = await claimDigest(ctx.db, athleteId, date);
    if (!claim) {
      log.debug('digest already sent or turned off');
      return;
    }
    try {
      const reply = await buildDigest(ctx, athlete, date, digestAdvice(ctx));
      await ctx.dm.send(athlete.discord_user_id, reply);
      log.info('digest sent');
    } catch (error) {
      if (error instanceof DmsClosedError) {
        log.warn('DMs closed; digest turned off and the athlete will be told');
        await turnOffDigest(ctx.db, athleteId, 'dms_closed', dmsClosedNotice);
        return;
      }
      await releaseDigest(ctx.db, athleteId, date, claim.previous);
      throw error;
    }
  },
});
