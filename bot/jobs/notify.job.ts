import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { defineJob } from '../../app/job-definition.ts';
import { jobNames } from '../../app/job-names.ts';
import { DmsClosedError } from '../dm-sender.ts';
import { Notification, notificationReply } from '../notifications.ts';

/** One DM to one athlete. Closed DMs are not retried: the athlete is told on their next command. */
export const notifyJob = defineJob({
  name: jobNames.notify,
  payload: z.intersection(z.object({ discordUserId: z.string() }), Notification),
  queue: { retryLimit: 4, retryDelay: 10, retryBackoff: true },
  work: { batchSize: 10, localConcurrency: 2 },
  handler: async (payload, ctx: AppContext) => {
    const log = ctx.logger.child({ job: jobNames.notify, kind: payload.kind });
    if (!ctx.dm) {
      log.info('Discord is not configured; notification not sent');
      return;
    }
    // The console's demo athlete has no Discord account: what it would be told stays unsent.
    const recipient = await ctx.db
      .selectFrom('athletes')
      .select('demo')
      .where('discord_user_id', '=', payload.discordUserId)
      .executeTakeFirst();
    if (recipient?.demo) {
      log.info('demo athlete; notification not sent');
      return;
    }
    try {
      await ctx.dm.send(payload.discordUserId, notificationReply(payload));
    } catch (error) {
      if (!(error instanceof DmsClosedError)) throw error;
      log.warn({ discordUserId: payload.discordUserId }, 'DMs closed; notice kept for the next command');
      await ctx.db
        .updateTable('athletes')
        .set({
          pending_notice: `I could not DM you this, because your DMs are closed to me: ${notificationReply(payload).content ?? ''}`,
        })
        .where('discord_user_id', '=', payload.discordUserId)
        .execute();
    }
  },
});
