import type { Job, Queue, WorkOptions } from 'pg-boss';
import type { z } from 'zod';

/** The Postgres schema pg-boss keeps its tables in (the console reads queue depths from it). */
export const bossSchema = 'pgboss';

/**
 * One kind of background job: a queue name, the zod schema of its payload, queue settings (retries,
 * dead letter, expiry), worker settings (batch size, concurrency) and the handler. The payload is parsed
 * at the edge, so the handler trusts its types. `Ctx` is what the running process hands to handlers.
 */
export interface JobDefinition<Ctx, Schema extends z.ZodType = z.ZodType> {
  name: string;
  payload: Schema;
  queue?: Omit<Queue, 'name'>;
  work?: Omit<WorkOptions, 'batchSize' | 'includeMetadata'> & { batchSize?: number };
  /** A cron schedule (UTC) on which pg-boss enqueues this job with `data`; one schedule per queue. */
  schedule?: { cron: string; data: z.infer<Schema> };
  handler: (payload: z.infer<Schema>, ctx: Ctx, job: Job<unknown>) => Promise<void>;
}

/** Builds a definition with its payload type inferred from the schema. */
export function defineJob<Ctx, Schema extends z.ZodType>(
  definition: JobDefinition<Ctx, Schema>,
): JobDefinition<Ctx, Schema> {
  return definition;
}
