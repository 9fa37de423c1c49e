import { z } from 'zod';
import type { BotContext } from '../../bot/bot-context.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { deliverExport } from '../deliver-export.ts';

/** `/export`: builds the athlete's data export and DMs it (attachment, or a one-time download link). */
export const exportJob = defineJob({
  name: jobNames.dataExport,
  payload: z.object({ discordUserId: z.string().regex(/^\d{17,20}$/) }),
  queue: { retryLimit: 2, retryDelay: 30 },
  work: { batchSize: 1, localConcurrency: 1 },
  handler: async ({ discordUserId }, ctx: BotContext) => {
    const outcome = await deliverExport(ctx, discordUserId);
    ctx.logger.info({ job: jobNames.dataExport, discordUserId, outcome }, 'export delivered');
  },
});
