import { z } from 'zod';
import { settleLoad } from '../../activities/record-delivery.ts';
import type { Db } from '../../db/connect.ts';
import { activityIdsFrom } from '../../db/queries/activities.ts';
import { recomputeRunRecipient, reportRecomputeRun } from '../../db/queries/recompute-runs.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { RateLimitWaitError } from '../rate-limit/postgres-gate.ts';
import { reanalyzeActivity } from '../retention/refetch-streams.ts';
import type { IngestContext } from '../strava-services.ts';

/** Progress is written at most this often (and at the end), so a long history costs few writes. */
const progressEvery = 25;

/**
 * Re-analyses an athlete's activities from a day on (after a threshold change), or only recomputes the
 * PMC (`reanalyze: false`, after deletions). With a `runId`, progress is recorded in recompute_runs for
 * whoever started it to show.
 */
export const recomputeJob = defineJob({
  name: jobNames.recompute,
  payload: z.object({
    athleteId: z.string().regex(/^\d+$/),
    from: z.union([z.literal('all'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]),
    reanalyze: z.boolean().default(true),
    runId: z.string().regex(/^\d+$/).optional(),
  }),
  // Resumed about 15 s after its process died (heartbeat), not after the 15-minute expiry.
  queue: { retryLimit: 3, heartbeatSeconds: 15 },
  work: { batchSize: 1, localConcurrency: 1 },
  handler: async ({ athleteId, from, reanalyze, runId }, ctx: IngestContext) => {
    const fromDate = from === 'all' ? null : from;
    try {
      if (reanalyze) {
        const activities = await activityIdsFrom(ctx.db, athleteId, fromDate);
        await report(ctx.db, runId, { state: 'running', total: activities.length, done: 0 });
        for (const [index, activity] of activities.entries()) {
          await reanalyzeActivity(ctx, activity.id);
          if ((index + 1) % progressEvery === 0) {
            await report(ctx.db, runId, { done: index + 1 });
            ctx.logger.info({ athleteId, done: index + 1, total: activities.length }, 're-analysing');
          }
        }
        await report(ctx.db, runId, { done: activities.length });
      }
      await settleLoad(ctx.db, athleteId, fromDate, ctx.now());
      await report(ctx.db, runId, { state: 'done' });
      await notifyIfAsked(ctx, runId);
    } catch (error) {
      if (error instanceof RateLimitWaitError) {
        // Refetching purged streams hit Strava's budget: run again once the window opens (activities
        // already refetched are stored, so the rerun costs no more requests for them).
        await ctx.boss.send(
          jobNames.recompute,
          { athleteId, from, reanalyze, runId },
          { startAfter: error.retryAt },
        );
        return;
      }
      await report(ctx.db, runId, {
        state: 'failed',
        error: error instanceof Error ? error.message.slice(0, 500) : 'failed',
      });
      throw error;
    }
  },
});

async function report(
  db: Db,
  runId: string | undefined,
  values: { state?: 'running' | 'done' | 'failed'; total?: number; done?: number; error?: string },
) {
  if (!runId) return;
  await reportRecomputeRun(db, runId, values);
}

/** The athlete stopped watching the button (its token expired): the result goes by DM. */
async function notifyIfAsked(ctx: IngestContext, runId: string | undefined) {
  if (!runId) return;
  const run = await recomputeRunRecipient(ctx.db, runId);
  if (!run?.dm_when_done) return;
  await ctx.boss.send(jobNames.notify, {
    discordUserId: run.discord_user_id,
    kind: 'recompute_done',
    data: { activities: run.total, failed: false },
  });
}
