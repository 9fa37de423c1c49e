import { z } from 'zod';
import type { BotContext } from '../../bot/bot-context.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { runExportImport } from '../export-import.ts';

/**
 * Imports one uploaded Strava export. Long-running: the heartbeat lets a crashed worker's job be retried
 * within a minute or two, and a retry resumes after the last entry the previous attempt finished.
 */
export const importExportJob = defineJob({
  name: jobNames.importExport,
  payload: z.object({ importId: z.string().regex(/^\d+$/) }),
  queue: {
    policy: 'exclusive',
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    // Resumes within a minute of a kill -9: heartbeat lost after 15 s, retried 5–10 s later.
    heartbeatSeconds: 15,
    expireInSeconds: 6 * 3600,
  },
  work: { batchSize: 1, localConcurrency: 1 },
  handler: async ({ importId }, ctx: BotContext, job) => {
    await runExportImport(ctx, importId, { signal: job.signal });
  },
});
