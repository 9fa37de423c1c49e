import { notifyJob } from '../bot/jobs/notify.job.ts';
import { backfillJob } from '../ingest/jobs/backfill.job.ts';
import { recomputeJob } from '../ingest/jobs/recompute.job.ts';
import { webhookEventJob } from '../ingest/jobs/webhook-event.job.ts';
import type { AppContext } from './context.ts';
import type { JobDefinition } from './job-definition.ts';

/** Every job kind the workers run; each file in a `jobs/` folder contributes one definition. */
export const jobDefinitions = [
  notifyJob,
  webhookEventJob,
  backfillJob,
  recomputeJob,
] as unknown as JobDefinition<AppContext>[];
