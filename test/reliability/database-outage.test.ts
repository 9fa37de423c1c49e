import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportLinkKey, signExportToken } from '../../exports/export-links.ts';
import { createImportLink } from '../../imports/upload-links.ts';
import { createConnectLink } from '../../ingest/connect/connect-links.ts';
import { subscriptionService, webhookCallbackUrl } from '../../ingest/webhook/subscription.ts';
import { type AppOnFakes, createTestDatabase, startAppOnFakes, type TestDatabase } from '../context.ts';
import { type StravaFake, startStravaFake } from '../fakes/strava/strava-fake.ts';

const webhookSecret = 'outage-webhook-secret-0123456789';
const verifyToken = 'outage-verify-token';

/** Every log line the application writes, as text. */
function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('a database outage during webhooks, and what reaches the logs', () => {
  let database: TestDatabase;
  let strava: StravaFake;
  let app: AppOnFakes;
  const logs = captureLogs();
  const admin = () => new pg.Client({ connectionString: inject('testDatabase').serverUrl });
  const databaseName = () => new URL(database.url).pathname.slice(1);

  async function setConnections(allowed: boolean) {
    const client = admin();
    await client.connect();
    try {
      await client.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS ${allowed}`);
      if (!allowed)
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          databaseName(),
        ]);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    strava = await startStravaFake();
    app = await startAppOnFakes({
      database,
      strava,
      webhookSecret,
      verifyToken,
      logLevel: 'info',
      logDestination: logs.stream,
    });
  });
  afterAll(async () => {
    await setConnections(true).catch(() => {});
    await app.stop();
    await strava.close();
    await database.drop();
  });

  const event = (i: number, subscriptionId: number) =>
    JSON.stringify({
      aspect_type: 'create',
      event_time: 1_796_000_000 + i,
      object_id: 15_000_000_000 + i,
      object_type: 'activity',
      owner_id: 70_000_000 + i,
      subscription_id: subscriptionId,
      updates: {},
    });
  const postEvent = (body: string) =>
    fetch(`${app.baseUrl}/strava/webhook/${webhookSecret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it('answers 5xx while the database is down (Strava retries), loses no event, stores each once, logs no secret', async () => {
    await subscriptionService({
      db: database.db,
      client: app.ctx.strava!.client,
      callbackUrl: webhookCallbackUrl(app.baseUrl, webhookSecret),
      verifyToken,
    }).create();
    const subscription = strava.subscription()!;
    const athlete = await database.db
      .insertInto('athletes')
      .values({ discord_user_id: '650000000000000001' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const connect = await createConnectLink(database.db, app.ctx.config.publicUrl, '650000000000000002');
    const upload = await createImportLink(database.db, app.ctx.config, athlete.id, null);
    const exportToken = signExportToken(
      exportLinkKey(app.ctx.config)!,
      '4242',
      new Date(Date.now() + 3600_000),
    );
    const connectState = new URL(connect.url).pathname.split('/').pop()!;
    const uploadToken = new URL(upload.url).pathname.split('/').pop()!;
    const oauthCode = 'oauth-code-that-must-not-be-logged';
    const secrets = [webhookSecret, connectState, uploadToken, exportToken, oauthCode, verifyToken];

    const events = Array.from({ length: 40 }, (_, i) => event(i, subscription.id));
    await setConnections(false);
    const duringOutage = [];
    for (const body of events) duringOutage.push((await postEvent(body)).status);
    // Every route that carries a secret or one-time token, while the database is down.
    const pages = [
      fetch(`${app.baseUrl}/strava/connect/${connectState}`, { redirect: 'manual' }),
      fetch(
        `${app.baseUrl}/strava/callback?code=${oauthCode}&state=${connectState}&scope=read,activity:read_all`,
      ),
      fetch(`${app.baseUrl}/imports/upload/${uploadToken}`),
      fetch(`${app.baseUrl}/imports/upload/${uploadToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/zip' },
        body: new Uint8Array([80, 75, 3, 4]),
      }),
      fetch(`${app.baseUrl}/exports/${exportToken}`),
      fetch(`${app.baseUrl}/exports/${exportToken}`, { method: 'POST' }),
      fetch(
        `${app.baseUrl}/strava/webhook/${webhookSecret}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=abc`,
      ),
    ];
    const answers = await Promise.all(pages);
    await setConnections(true);

    // Not acknowledged means Strava delivers again; nothing was acknowledged and then lost.
    expect(duringOutage.every((status) => status >= 500)).toBe(true);
    for (const answer of answers) {
      await answer.body?.cancel();
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    // Strava's retries after the outage: each event is stored once, even when delivered twice.
    for (const body of [...events, ...events.slice(0, 10)]) expect((await postEvent(body)).status).toBe(200);
    const stored = await database.db
      .selectFrom('webhook_events')
      .select(['object_id'])
      .where('owner_id', '>=', '70000000')
      .where('owner_id', '<', '70000100')
      .execute();
    expect(stored).toHaveLength(events.length);
    expect(new Set(stored.map((row) => row.object_id)).size).toBe(events.length);

    const errorLines = logs.lines.filter((line) => JSON.parse(line).level >= 50);
    expect(errorLines.length).toBeGreaterThanOrEqual(events.length);
    expect(errorLines.some((line) => line.includes('/strava/webhook/[redacted]'))).toBe(true);
    for (const secret of secrets) {
      const leaked = logs.lines.filter((line) => line.includes(secret));
      expect(leaked, `log lines containing ${secret}`).toEqual([]);
    }
  }, 60_000);
});
