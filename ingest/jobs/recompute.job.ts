import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { defineJob } from '../../app/job-definition.ts';
import { jobNames } from '../../app/job-names.ts';
import { analyzeStoredActivity } from '../activities/activity-store.ts';
import { recomputePmc } from '../activities/pmc-store.ts';

/**
 * Re-analyses an athlete's activities from a day on (after a threshold change), or only recomputes the
 * PMC (`reanalyze: false`, after deletions). Progress is readable in the job's own log lines.
 */
export const recomputeJob = defineJob({
  name: jobNames.recompute,
  payload: z.object({
    athleteId: z.string().regex(/^\d+$/),
    from: z.union([z.literal('all'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]),
    reanalyze: z.boolean().default(true),
  }),
  queue: { retryLimit: 3 },
  work: { batchSize: 1, localConcurrency: 1 },
  handler: async ({ athleteId, from, reanalyze }, ctx: AppContext) => {
    const fromDate = from === 'all' ? null : from;
    if (reanalyze) {
      let query = ctx.db
        .selectFrom('activities')
        .select('id')
        .where('athlete_id', '=', athleteId)
        .orderBy('start_date');
      if (fromDate) query = query.where('local_date', '>=', fromDate);
      const activities = await query.execute();
      for (const [index, activity] of activities.entries()) {
        await analyzeStoredActivity(ctx.db, ctx.analyze, activity.id);
        if ((index + 1) % 50 === 0)
          ctx.logger.info({ athleteId, done: index + 1, total: activities.length }, 're-analysing');
      }
    }
    await recomputePmc(ctx.db, ctx.pmc, athleteId, fromDate);
  },
});
