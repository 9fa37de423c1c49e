import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { findDueDigests } from '../digest/find-due-digests.ts';

const insertChunk = 1_000;

/**
 * Every 15 minutes: finds athletes whose local digest time has come and enqueues one send job each. The
 * singleton key (athlete and local date) and the exclusive queue keep duplicates out of the queue; the
 * claim in the send job makes "one DM per day" hold even across days of retries.
 */
export const digestTickJob = defineJob({
  name: jobNames.digestTick,
  payload: z.object({}).passthrough(),
  queue: { retryLimit: 1, policy: 'singleton' },
  schedule: { cron: '*/15 * * * *', data: {} },
  handler: async (_payload, ctx: BotContext) => {
    const due = await findDueDigests(ctx.db, ctx.now());
    for (let i = 0; i < due.length; i += insertChunk) {
      await ctx.boss.insert(
        jobNames.digestSend,
        due.slice(i, i + insertChunk).map((d) => ({
          data: d,
          singletonKey: `${d.athleteId}:${d.date}`,
          priority: priorities.interactive,
        })),
      );
    }
    if (due.length > 0)
      ctx.logger.info({ job: jobNames.digestTick, enqueued: due.length }, 'digests enqueued');
  },
});
