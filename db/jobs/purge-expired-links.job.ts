import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Db } from '../connect.ts';
import { purgeExpiredLinks } from '../queries/expired-links.ts';

/** Daily: deletes expired OAuth states, one-time links and console sessions (see expired-links.ts). */
export const purgeExpiredLinksJob = defineJob({
  name: jobNames.purgeExpiredLinks,
  payload: z.object({}).passthrough(),
  queue: { retryLimit: 2, policy: 'singleton' },
  schedule: { cron: '50 3 * * *', data: {} },
  handler: async (_payload, ctx: { db: Db; logger: Logger; now: () => Date }) => {
    const purged = await purgeExpiredLinks(ctx.db, ctx.now());
    ctx.logger.info({ job: jobNames.purgeExpiredLinks, ...purged }, 'expired links purged');
  },
});
