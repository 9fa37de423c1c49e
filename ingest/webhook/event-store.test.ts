import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { createTestDatabase, startTestBoss, type TestDatabase } from '../../test/context.ts';
import { createWebhookEventStore } from './event-store.ts';
import type { StravaWebhookEvent } from './webhook-event.ts';

const event = (objectId: number, aspect: 'create' | 'update' = 'create'): StravaWebhookEvent => ({
  aspect_type: aspect,
  event_time: 1516126040,
  object_id: objectId,
  object_type: 'activity',
  owner_id: 134815,
  subscription_id: 120475,
  updates: aspect === 'update' ? { title: 'Messy' } : {},
});

describe('webhook event store (group commit)', () => {
  let database: TestDatabase;
  let boss: PgBoss;

  beforeAll(async () => {
    database = await createTestDatabase();
    boss = await startTestBoss(database.url, [
      defineJob({
        name: jobNames.webhookEvent,
        payload: z.object({ eventId: z.string() }),
        handler: async () => {},
      }),
    ]);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await database.drop();
  });

  it('stores a burst of concurrent events once each, with one job each, duplicates in the burst included', async () => {
    const store = createWebhookEventStore({ db: database.db, boss });
    // 300 arrivals at once (more than one transaction takes), every fifth a repeat of the one before it.
    const burst = Array.from({ length: 300 }, (_, i) => event(1_000 + (i % 5 === 4 ? i - 1 : i)));
    const ids = await Promise.all(burst.map((e) => store.store(e)));
    const distinct = new Set(burst.map((e) => e.object_id)).size;
    expect(ids.filter((id) => id !== null)).toHaveLength(distinct);
    expect(new Set(ids.filter((id) => id !== null)).size).toBe(distinct);
    // The repeat is the duplicate, not the first arrival.
    for (const [i, id] of ids.entries()) expect(id === null).toBe(i % 5 === 4);
    const rows = await sql<{ events: number; jobs: number; linked: number }>`
      SELECT (SELECT count(*)::int FROM webhook_events) AS events,
        (SELECT count(*)::int FROM pgboss.job WHERE name = ${jobNames.webhookEvent}) AS jobs,
        (SELECT count(*)::int FROM pgboss.job j JOIN webhook_events e ON j.data->>'eventId' = e.id::text
          WHERE j.name = ${jobNames.webhookEvent}) AS linked`.execute(database.db);
    expect(rows.rows[0]).toEqual({ events: distinct, jobs: distinct, linked: distinct });
    // Arriving again later: all duplicates, nothing more stored.
    expect(await Promise.all(burst.slice(0, 10).map((e) => store.store(e)))).toEqual(Array(10).fill(null));
  });

  it('refuses only the event that fails when its batch fails', async () => {
    const store = createWebhookEventStore({ db: database.db, boss });
    // An object id beyond bigint fails in Postgres; its neighbours in the same batch are stored.
    const bad = { ...event(0), object_id: 1e20 };
    const results = await Promise.allSettled([
      store.store(event(5_000)),
      store.store(bad),
      store.store(event(5_001)),
      store.store(event(5_002)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const stored = await database.db
      .selectFrom('webhook_events')
      .select('object_id')
      .where('object_id', 'in', ['5000', '5001', '5002'])
      .execute();
    expect(stored).toHaveLength(3);
  });
});
