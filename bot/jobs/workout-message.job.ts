import { z } from 'zod';
import { activitiesByIds } from '../../db/queries/activities.ts';
import { findAthleteById, turnOffWorkoutDms } from '../../db/queries/athletes.ts';
import { claimWorkoutMessages, finishWorkoutMessages } from '../../db/queries/workout-messages.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { DmsClosedError } from '../dm-sender.ts';
import { raisedThresholdProposal } from '../thresholds/threshold-offer.ts';
import { buildWorkoutMessage } from '../workout-message/build-workout-message.ts';

export const workoutDmsClosedNotice =
  'I could not DM you the summary of your last workout because your DMs are closed to me, so I turned those messages off. Allow DMs from this app, then `/settings workout_dm:true` turns them back on.';

/**
 * The message after new workouts: every queued workout of the athlete is claimed before sending (so two
 * workers never both send, and several workouts make one message), sent, and marked sent. Then any
 * threshold a workout clearly raised is proposed, dated, by DM.
 */
export const workoutMessageJob = defineJob({
  name: jobNames.workoutMessage,
  payload: z.object({ athleteId: z.string().regex(/^\d+$/) }),
  queue: { retryLimit: 3, retryDelay: 30, retryBackoff: true },
  work: { batchSize: 5, localConcurrency: 2 },
  handler: async ({ athleteId }, ctx: BotContext) => {
    const log = ctx.logger.child({ job: jobNames.workoutMessage, athleteId });
    const athlete = await findAthleteById(ctx.db, athleteId);
    if (!athlete) return;
    const claimed = await claimWorkoutMessages(ctx.db, athleteId);
    if (claimed.length === 0) {
      log.debug('nothing queued (another worker took it)');
      return;
    }
    if (!ctx.dm || !athlete.workout_dm_enabled) {
      await finishWorkoutMessages(ctx.db, claimed, 'skipped');
    } else {
      try {
        const reply = await buildWorkoutMessage(ctx, athlete, claimed);
        if (reply) await ctx.dm.send(athlete.discord_user_id, reply);
        await finishWorkoutMessages(ctx.db, claimed, reply ? 'sent' : 'skipped');
        log.info(
          { activities: claimed.length },
          reply ? 'workout message sent' : 'workouts gone; nothing sent',
        );
      } catch (error) {
        if (error instanceof DmsClosedError) {
          log.warn('DMs closed; workout messages turned off and the athlete will be told');
          await finishWorkoutMessages(ctx.db, claimed, 'skipped');
          await turnOffWorkoutDms(ctx.db, athleteId, workoutDmsClosedNotice);
          return;
        }
        // Unclaimed again, so the retry sends it (still once).
        await finishWorkoutMessages(ctx.db, claimed, 'pending');
        throw error;
      }
    }
    await proposeRaisedThresholds(ctx, athlete, claimed).catch((error) =>
      log.error({ err: error }, 'threshold proposal failed'),
    );
  },
});

/** A workout that clearly raises a threshold gets a dated proposal by DM (never applied silently). */
async function proposeRaisedThresholds(
  ctx: BotContext,
  athlete: NonNullable<Awaited<ReturnType<typeof findAthleteById>>>,
  activityIds: string[],
): Promise<void> {
  if (!ctx.dm) return;
  const activities = await activitiesByIds(ctx.db, athlete.id, activityIds);
  for (const activity of activities) {
    const proposal = await raisedThresholdProposal(
      ctx,
      athlete,
      { id: activity.id, localDate: activity.local_date, name: activity.name || 'Your workout' },
      ctx.now(),
    );
    if (proposal) await ctx.dm.send(athlete.discord_user_id, proposal);
  }
}
