import fc from 'fast-check';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createWebService } from '../../app/web-service.ts';
import { putSetting } from '../../db/queries/app-settings.ts';
import { defineJob } from '../../lib/jobs/job-definition.ts';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase, startTestBoss, type TestDatabase } from '../../test/context.ts';
import { subscriptionSettingKey, webhookEventJob, webhookRoutes } from './webhook-routes.ts';

const secret = 'webhook-secret-0123456789';
const verifyToken = 'verify-me';
const subscriptionId = 120475;

const validEvent = {
  aspect_type: 'create',
  event_time: 1516126040,
  object_id: 1360128428,
  object_type: 'activity',
  owner_id: 134815,
  subscription_id: subscriptionId,
  updates: {},
};

describe('Strava webhook routes', () => {
  let database: TestDatabase;
  let boss: PgBoss;
  let web: ReturnType<typeof createWebService>;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Only the queue is needed here: nothing works the jobs, so they stay queued for counting.
    boss = await startTestBoss(database.url, [
      defineJob({
        name: webhookEventJob,
        payload: z.object({ eventId: z.string() }),
        handler: async () => {},
      }),
    ]);
    await putSetting(database.db, subscriptionSettingKey, subscriptionId);
    const logger = createLogger({ level: 'silent' });
    web = createWebService({
      db: database.db,
      logger,
      port: 0,
      host: '127.0.0.1',
      routers: [webhookRoutes({ db: database.db, boss, logger, webhookSecret: secret, verifyToken })],
    });
    await web.start();
    base = `http://127.0.0.1:${web.address().port}`;
  });
  afterAll(async () => {
    await web.stop();
    await boss.stop({ graceful: false });
    await database.drop();
  });

  const post = (body: unknown, path = `/strava/webhook/${secret}`) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const counts = async () => {
    const events = await database.db
      .selectFrom('webhook_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const jobs = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${webhookEventJob}`.execute(database.db);
    return { events: events.n, jobs: jobs.rows[0]!.n };
  };

  it('answers subscription validation with the challenge as JSON', async () => {
    const ok = await fetch(
      `${base}/strava/webhook/${secret}?hub.mode=subscribe&hub.challenge=15f7d1a91c1f40f8a748fd134752feb3&hub.verify_token=${verifyToken}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ok.json()).toEqual({ 'hub.challenge': '15f7d1a91c1f40f8a748fd134752feb3' });
    const wrongToken = await fetch(
      `${base}/strava/webhook/${secret}?hub.mode=subscribe&hub.challenge=x&hub.verify_token=nope`,
    );
    expect(wrongToken.status).toBe(403);
    const wrongSecret = await fetch(
      `${base}/strava/webhook/not-the-secret?hub.mode=subscribe&hub.challenge=x&hub.verify_token=${verifyToken}`,
    );
    expect(wrongSecret.status).toBe(404);
  });

  it('stores a valid event with its job, and absorbs duplicate deliveries', async () => {
    const before = await counts();
    const first = await post({ ...validEvent, object_id: 1 });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'accepted' });
    const again = await post({ ...validEvent, object_id: 1 });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate' });
    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
    const row = await database.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('object_id', '=', '1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      object_type: 'activity',
      aspect_type: 'create',
      owner_id: '134815',
      status: 'pending',
    });
  });

  it('keeps update payloads (strings, as Strava sends them) and treats another update as a new event', async () => {
    const before = await counts();
    const update = {
      ...validEvent,
      object_id: 2,
      aspect_type: 'update',
      updates: { title: 'Messy', type: 'Run' },
    };
    expect((await post(update)).status).toBe(200);
    expect((await post({ ...update, updates: { private: 'true' } })).status).toBe(200);
    const deauth = {
      ...validEvent,
      object_type: 'athlete',
      object_id: 134815,
      aspect_type: 'update',
      updates: { authorized: 'false' },
    };
    expect((await post(deauth)).status).toBe(200);
    expect(await counts()).toEqual({ events: before.events + 3, jobs: before.jobs + 3 });
    const row = await database.db
      .selectFrom('webhook_events')
      .select('updates')
      .where('object_type', '=', 'athlete')
      .executeTakeFirstOrThrow();
    expect(row.updates).toEqual({ authorized: 'false' });
  });

  it('a wrong secret is a 404 and stores nothing', async () => {
    const before = await counts();
    const response = await post(validEvent, '/strava/webhook/guessing-the-secret-123');
    expect(response.status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('an event for another subscription is refused', async () => {
    const before = await counts();
    const response = await post({ ...validEvent, object_id: 3, subscription_id: 999 });
    expect(response.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('hundreds of malformed bodies: each a 4xx, nothing stored, the service stays up', async () => {
    const before = await counts();
    const keys = Object.keys(validEvent) as (keyof typeof validEvent)[];
    const badValue = fc.oneof(
      fc.constant(null),
      fc.constant(-1),
      fc.constant(0),
      fc.constant(1.5),
      fc.constant('12'),
      fc.constant([]),
      fc.constant({ nested: true }),
      fc.string({ maxLength: 5 }),
    );
    const mutated = fc.oneof(
      // One field removed.
      fc.constantFrom(...keys.filter((k) => k !== 'updates')).map((key) => {
        const copy: Record<string, unknown> = { ...validEvent };
        delete copy[key];
        return JSON.stringify(copy);
      }),
      // One field given a value of the wrong type or range.
      fc
        .tuple(fc.constantFrom(...keys.filter((k) => k !== 'updates')), badValue)
        .map(([key, value]) => JSON.stringify({ ...validEvent, [key]: value })),
      fc.constantFrom('not json', '{"object_type":', '[]', 'null', '42', '"event"', '{}'),
      fc.json({ maxDepth: 2 }).filter((text) => !text.includes('object_type')),
    );
    const bodies = fc.sample(mutated, { numRuns: 300, seed: 42 });
    for (const body of bodies) {
      const response = await post(body);
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
    }
    expect(await counts()).toEqual(before);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
