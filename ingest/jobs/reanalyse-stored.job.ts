import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { defineJob } from '../../app/job-definition.ts';
import { jobNames, priorities } from '../../app/job-names.ts';
import { reanalyseStoredActivities } from '../activities/reanalyse-stored.ts';

/** Work per invocation, well inside pg-boss's job expiry; the rest goes on in a continuation. */
const sliceMs = 4 * 60_000;

/**
 * The one-time re-analysis of stored activities under the current metric rules (listed by a migration).
 * The schedule starts it after a deploy and finds nothing to do afterwards (two counts); each slice queues
 * the next at backfill priority, so live work goes first. One runs at a time (stately queue).
 */
export const reanalyseStoredJob = defineJob({
  name: jobNames.reanalyseStored,
  payload: z.object({}).passthrough(),
  queue: { retryLimit: 5, policy: 'stately' },
  schedule: { cron: '*/5 * * * *', data: {} },
  handler: async (_payload, ctx: AppContext) => {
    const outcome = await reanalyseStoredActivities(ctx, { deadline: Date.now() + sliceMs });
    if (outcome.state === 'more') {
      await ctx.boss.send(jobNames.reanalyseStored, {}, { priority: priorities.backfill });
    }
  },
});
