import { digestSendJob } from '../bot/jobs/digest-send.job.ts';
import { digestTickJob } from '../bot/jobs/digest-tick.job.ts';
import { notifyJob } from '../bot/jobs/notify.job.ts';
import { exportJob } from '../exports/jobs/export.job.ts';
import { importExportJob } from '../imports/jobs/import-export.job.ts';
import { backfillJob } from '../ingest/jobs/backfill.job.ts';
import { reanalyseStoredJob } from '../ingest/jobs/reanalyse-stored.job.ts';
import { recomputeJob } from '../ingest/jobs/recompute.job.ts';
import { streamRetentionJob } from '../ingest/jobs/stream-retention.job.ts';
import { webhookEventJob } from '../ingest/jobs/webhook-event.job.ts';
import type { AppContext } from './context.ts';
import type { JobDefinition } from './job-definition.ts';

/** Every job kind the workers run; each file in a `jobs/` folder contributes one definition. */
export const jobDefinitions = [
  notifyJob,
  digestTickJob,
  digestSendJob,
  webhookEventJob,
  backfillJob,
  recomputeJob,
  reanalyseStoredJob,
  streamRetentionJob,
  exportJob,
  importExportJob,
] as unknown as JobDefinition<AppContext>[];
