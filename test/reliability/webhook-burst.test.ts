import { Agent, request } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobNames } from '../../lib/jobs/job-names.ts';
import {
  eventually,
  givenWebhookSubscription,
  type Harness,
  startHarness,
  webhookSecret,
} from '../context.ts';

// The bench drains 20,000 (npm run bench -- ingest); here a burst small enough for CI, same path.
const burst = 3000;
const redelivered = 300;

describe('a burst of webhooks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await givenWebhookSubscription(h);
  });
  afterAll(async () => h.stop());

  it('every event acknowledged is stored once and processed exactly once, redeliveries absorbed', async () => {
    const subscriptionId = h.strava.subscription()!.id;
    const bodies = Array.from({ length: burst }, (_, i) =>
      JSON.stringify({
        aspect_type: i % 10 === 9 ? 'delete' : 'create',
        event_time: 1_796_100_000 + i,
        object_id: 16_000_000_000 + i,
        object_type: 'activity',
        owner_id: 60_000_000 + (i % 500),
        subscription_id: subscriptionId,
        updates: {},
      }),
    );
    // Strava retries some deliveries: the same events again, interleaved with the burst.
    const deliveries = [...bodies, ...bodies.slice(0, redelivered)];
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const target = new URL(`${h.baseUrl}/strava/webhook/${webhookSecret}`);
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    // Workers start while the burst is arriving.
    const workers = h.startWorkers();
    const statuses: number[] = [];
    for (let i = 0; i < deliveries.length; i += 64)
      statuses.push(...(await Promise.all(deliveries.slice(i, i + 64).map(post))));
    await workers;
    agent.destroy();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    await eventually(
      async () => {
        const pending = await h.database.db
          .selectFrom('webhook_events')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('processed_at', 'is', null)
          .executeTakeFirstOrThrow();
        return pending.n === 0;
      },
      120_000,
      'the burst to drain',
    );
    const events = await h.database.db.selectFrom('webhook_events').select(['object_id', 'status']).execute();
    expect(events).toHaveLength(burst);
    expect(new Set(events.map((e) => e.object_id)).size).toBe(burst);
    expect(events.every((e) => e.status === 'ignored')).toBe(true);
    // One job per event, run once: none retried, none left, none run twice.
    const jobs = await sql<{ event_id: string; n: number; retries: number; state: string }>`
      SELECT data->>'eventId' AS event_id, count(*)::int AS n, max(retry_count)::int AS retries,
        string_agg(state::text, ',') AS state
      FROM pgboss.job WHERE name = ${jobNames.webhookEvent} GROUP BY 1`.execute(h.database.db);
    expect(jobs.rows).toHaveLength(burst);
    expect(jobs.rows.filter((j) => j.n !== 1 || j.retries !== 0 || j.state !== 'completed')).toEqual([]);
    // No crash ledger rows left behind.
    const ledger = await h.database.db.selectFrom('job_runs').select('job_id').execute();
    expect(ledger).toEqual([]);
  }, 240_000);
});
