import { z } from 'zod';
import { isDemoDiscordUser, setPendingNotice } from '../../db/queries/athletes.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { DmsClosedError } from '../dm-sender.ts';
import { Notification, notificationReply } from '../notifications.ts';
import { offerThresholdsAfterImport } from '../thresholds/threshold-offer.ts';

/** One DM to one athlete. Closed DMs are not retried: the athlete is told on their next command. */
export const notifyJob = defineJob({
  name: jobNames.notify,
  payload: z.intersection(z.object({ discordUserId: z.string() }), Notification),
  queue: { retryLimit: 4, retryDelay: 10, retryBackoff: true },
  work: { batchSize: 10, localConcurrency: 2 },
  handler: async (payload, ctx: BotContext) => {
    const log = ctx.logger.child({ job: jobNames.notify, kind: payload.kind });
    if (!ctx.dm) {
      log.info('Discord is not configured; notification not sent');
      return;
    }
    // The console's demo athlete has no Discord account: what it would be told stays unsent.
    if (await isDemoDiscordUser(ctx.db, payload.discordUserId)) {
      log.info('demo athlete; notification not sent');
      return;
    }
    try {
      await ctx.dm.send(payload.discordUserId, notificationReply(payload));
      // The first import's numbers rest on estimates until thresholds are set: offer them from its data.
      if (payload.kind === 'sync_done' || payload.kind === 'import_done') {
        const offered = await offerThresholdsAfterImport(ctx, payload.discordUserId).catch((error) => {
          log.error({ err: error }, 'threshold offer failed');
          return false;
        });
        if (offered) log.info('thresholds offered after the first import');
      }
    } catch (error) {
      if (!(error instanceof DmsClosedError)) throw error;
      log.warn({ discordUserId: payload.discordUserId }, 'DMs closed; notice kept for the next command');
      await setPendingNotice(
        ctx.db,
        payload.discordUserId,
        `I could not DM you this, because your DMs are closed to me: ${notificationReply(payload).content ?? ''}`,
      );
    }
  },
});
