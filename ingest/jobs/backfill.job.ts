import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { IngestContext } from '../strava-services.ts';
import { runBackfillSlice } from '../sync/run-backfill.ts';

/** One slice of a history backfill; it queues its own continuation (see run-backfill.ts). */
export const backfillJob = defineJob({
  name: jobNames.backfill,
  payload: z.object({ runId: z.string().regex(/^\d+$/) }),
  // A slice whose process was killed is retried once its heartbeat stops (15 s), not after its expiry;
  // sync_runs and sync_run_items are its checkpoints.
  queue: { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 900, heartbeatSeconds: 15 },
  work: { batchSize: 4, localConcurrency: 2, pollingIntervalSeconds: 1 },
  handler: async ({ runId }, ctx: IngestContext) => {
    if (!ctx.strava) return;
    await runBackfillSlice(ctx.strava.sync, runId);
  },
});
