import { z } from 'zod';
import { findWebhookEvent, updateWebhookEvent } from '../../db/queries/webhook-events.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import { disconnectAfterDeauthorization } from '../connect/deauthorized.ts';
import { RateLimitWaitError } from '../rate-limit/postgres-gate.ts';
import type { IngestContext } from '../strava-services.ts';
import { handleWebhookEvent } from '../sync/handle-webhook-event.ts';

/** One stored Strava event: sync, delete, or disconnect. Idempotent, so redelivery and retries are safe. */
export const webhookEventJob = defineJob({
  name: jobNames.webhookEvent,
  payload: z.object({ eventId: z.string().regex(/^\d+$/) }),
  queue: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 900 },
  // Live work, and bursts: 25 per fetch, two fetch loops, fetching again at once while batches come back
  // full (the runner's polling) — a 20,000-event backlog drains in about 80 s (npm run bench -- ingest).
  work: { batchSize: 25, localConcurrency: 2, pollingIntervalSeconds: 1 },
  handler: async ({ eventId }, ctx: IngestContext) => {
    const event = await findWebhookEvent(ctx.db, eventId);
    if (!event || event.status === 'done' || event.status === 'ignored') return;
    if (!ctx.strava) {
      await updateWebhookEvent(ctx.db, eventId, { status: 'ignored', detail: 'Strava not configured' });
      return;
    }
    const strava = ctx.strava;
    try {
      const outcome = await handleWebhookEvent(strava.sync, event, (athleteId) =>
        disconnectAfterDeauthorization(ctx, athleteId),
      );
      await updateWebhookEvent(ctx.db, eventId, {
        status: outcome.status,
        detail: outcome.detail,
        processed_at: new Date(),
      });
      ctx.logger.info({ eventId, ...outcome }, 'webhook event processed');
    } catch (error) {
      if (error instanceof RateLimitWaitError) {
        // Not a failure: the event waits for the next rate-limit window.
        await ctx.boss.send(
          jobNames.webhookEvent,
          { eventId },
          { startAfter: error.retryAt, priority: priorities.live },
        );
        return;
      }
      await updateWebhookEvent(ctx.db, eventId, {
        detail: error instanceof Error ? error.message.slice(0, 500) : 'failed',
      });
      throw error;
    }
  },
});
