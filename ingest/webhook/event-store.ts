import type { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import { insertWebhookEvents } from '../../db/queries/webhook-events.ts';
import { toJson } from '../../db/tables/json.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import { type StravaWebhookEvent, webhookDedupKey } from './webhook-event.ts';

/** More events than this in one transaction would only lengthen the wait of the first. */
const maxBatch = 250;

export interface WebhookEventStore {
  /** Stores the event with its job in one transaction: the event's id, or null for a duplicate. */
  store: (event: StravaWebhookEvent) => Promise<string | null>;
}

/**
 * Group commit: an event arriving while a transaction is in flight waits for it to finish and then goes
 * in the next transaction with every other event that arrived meanwhile. One event alone is written at
 * once (no added latency when traffic is light); under load a transaction costs its round trips once for
 * many events instead of once per event. Each caller hears only after its own event and job committed.
 */
export function createWebhookEventStore(options: { db: Db; boss: PgBoss }): WebhookEventStore {
  let pending: {
    event: StravaWebhookEvent;
    resolve: (id: string | null) => void;
    reject: (error: unknown) => void;
  }[] = [];
  let writing = false;

  const drain = async () => {
    if (writing) return;
    writing = true;
    try {
      while (pending.length > 0) {
        const batch = pending.slice(0, maxBatch);
        pending = pending.slice(batch.length);
        try {
          const ids = await storeBatch(
            options,
            batch.map((entry) => entry.event),
          );
          for (const [i, entry] of batch.entries()) entry.resolve(ids[i] ?? null);
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          // One event's failure must not fail the others: each alone, so only a bad one is refused.
          for (const entry of batch) {
            await storeBatch(options, [entry.event]).then(
              ([id]) => entry.resolve(id ?? null),
              (single: unknown) => entry.reject(single),
            );
          }
        }
      }
    } finally {
      writing = false;
    }
  };

  return {
    store: (event) =>
      new Promise((resolve, reject) => {
        pending.push({ event, resolve, reject });
        void drain();
      }),
  };
}

/** One transaction: the new events (duplicates skipped, also within the batch) and one job per new event. */
async function storeBatch(
  options: { db: Db; boss: PgBoss },
  events: StravaWebhookEvent[],
): Promise<(string | null)[]> {
  const keys = events.map(webhookDedupKey);
  return options.db.transaction().execute(async (trx) => {
    const rows = await insertWebhookEvents(
      trx,
      events.map((event, i) => ({
        dedup_key: keys[i]!,
        subscription_id: String(event.subscription_id),
        object_type: event.object_type,
        object_id: String(event.object_id),
        aspect_type: event.aspect_type,
        owner_id: String(event.owner_id),
        event_time: String(event.event_time),
        updates: toJson(Object.fromEntries(Object.entries(event.updates).map(([k, v]) => [k, String(v)]))),
      })),
    );
    if (rows.length > 0) {
      await options.boss.insert(
        jobNames.webhookEvent,
        rows.map((row) => ({ data: { eventId: row.id }, priority: priorities.live })),
        { db: fromKysely(trx) },
      );
    }
    // The first event of a key gets the stored id; a repeat of it in the same batch is a duplicate.
    const idByKey = new Map(rows.map((row) => [row.dedup_key, row.id]));
    return keys.map((key) => {
      const id = idByKey.get(key) ?? null;
      idByKey.delete(key);
      return id;
    });
  });
}
