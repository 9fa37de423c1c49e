import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { purgeExpiredStreams } from '../retention/stream-retention.ts';
import type { IngestContext } from '../strava-services.ts';

/**
 * Daily: deletes raw streams of Strava API activities older than STRAVA_STREAM_RETENTION_DAYS (unset:
 * keeps them), keeping metrics and the PMC.
 */
export const streamRetentionJob = defineJob({
  name: jobNames.streamRetention,
  payload: z.object({}).passthrough(),
  queue: { retryLimit: 2, policy: 'singleton' },
  schedule: { cron: '40 3 * * *', data: {} },
  handler: async (_payload, ctx: IngestContext) => {
    const days = ctx.config.strava?.streamRetentionDays ?? null;
    if (days === null) return;
    const purged = await purgeExpiredStreams(ctx.db, days, ctx.now());
    ctx.logger.info({ job: jobNames.streamRetention, days, purged }, 'expired Strava streams purged');
  },
});
