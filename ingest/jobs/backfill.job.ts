import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { IngestContext } from '../strava-services.ts';
import { runBackfillSlice } from '../sync/run-backfill.ts';

/** One slice of a history backfill; it queues its own continuation (see run-backfill.ts). */
export const backfillJob = defineJob({
  name: jobNames.backfill,
  payload: z.object({ runId: z.string().regex(/^\d+$/) }),
  queue: { retryLimit: 10, retryDelay: 10, retryBackoff: true, retryDelayMax: 900 },
  work: { batchSize: 4, localConcurrency: 2, pollingIntervalSeconds: 1 },
  handler: async ({ runId }, ctx: IngestContext) => {
    if (!ctx.strava) return;
    await runBackfillSlice(ctx.strava.sync, runId);
  },
});
