import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillSlice } from '../../ingest/sync/run-backfill.ts';
import { startSync } from '../../ingest/sync/start-sync.ts';
import { subscriptionService, webhookCallbackUrl } from '../../ingest/webhook/subscription.ts';
import {
  eventually,
  givenConnectedAthlete,
  type Harness,
  startHarness,
  verifyToken,
  webhookSecret,
} from '../context.ts';

const user = (n: number) => `5000000000000000${String(n).padStart(2, '0')}`;

const activityByStravaId = (h: Harness, id: number) =>
  h.database.db
    .selectFrom('activities')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.name',
      'activities.sport_type',
      'activities.private',
      'activity_metrics.stress',
      'activity_metrics.stress_method',
    ])
    .where('activities.strava_id', '=', String(id))
    .executeTakeFirst();

describe('Strava sync with workers running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.startWorkers();
    const service = subscriptionService({
      db: h.database.db,
      client: h.ctx.strava!.client,
      callbackUrl: webhookCallbackUrl(h.baseUrl, webhookSecret),
      verifyToken,
    });
    // Strava validates the callback with a real GET before creating the subscription.
    await service.create();
    expect(h.strava.subscription()?.callbackUrl).toBe(`${h.baseUrl}/strava/webhook/${webhookSecret}`);
  });
  afterAll(async () => h.stop());

  it('connecting imports the last 30 activities in the background', async () => {
    const { athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(1),
      history: { count: 40, durationS: 600 },
    });
    const run = await eventually(
      () =>
        h.database.db
          .selectFrom('sync_runs')
          .selectAll()
          .where('athlete_id', '=', athleteId)
          .where('state', '=', 'done')
          .executeTakeFirst(),
      30_000,
      'initial sync',
    );
    expect(run).toMatchObject({ requested: 30, listed: 30, synced: 30, skipped: 0, failed: 0 });
    // One list call and one streams call per activity that has streams (manual entries need none).
    const manual = await h.database.db
      .selectFrom('activities')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .where('manual', '=', true)
      .executeTakeFirstOrThrow();
    expect(run.api_calls).toBe(1 + 30 - manual.n);
    const load = await h.database.db
      .selectFrom('daily_load')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(load.n).toBeGreaterThanOrEqual(30);
  });

  it('webhook events: create, update (title, type, privacy), delete, duplicates absorbed', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(2),
      initialSync: 'synced',
    });
    const ride = h.strava.addActivity(athlete.id, {
      sport: 'Ride',
      durationS: 1800,
      name: 'Morning ride',
      startDate: new Date(Date.now() - 7200_000),
    });
    const started = Date.now();
    expect(
      await h.strava.deliver({
        object_type: 'activity',
        object_id: ride.id,
        aspect_type: 'create',
        owner_id: athlete.id,
      }),
    ).toBe(200);
    const stored = await eventually(() =>
      activityByStravaId(h, ride.id).then((a) => (a?.stress != null ? a : null)),
    );
    const webhookToMetrics = Date.now() - started;
    expect(stored).toMatchObject({ name: 'Morning ride', sport_type: 'Ride' });
    expect(webhookToMetrics).toBeLessThan(10_000);
    const day = await h.database.db
      .selectFrom('daily_load')
      .select(['stress'])
      .where('athlete_id', '=', athleteId)
      .where('stress', '>', 0)
      .executeTakeFirst();
    expect(day?.stress).toBeCloseTo(stored.stress!, 6);

    h.strava.updateActivity(ride.id, { name: 'Renamed', sportType: 'Run', private: true });
    await h.strava.deliver({
      object_type: 'activity',
      object_id: ride.id,
      aspect_type: 'update',
      owner_id: athlete.id,
      updates: { title: 'Renamed', type: 'Run', private: 'true' },
    });
    const renamed = await eventually(() =>
      activityByStravaId(h, ride.id).then((a) => (a?.name === 'Renamed' ? a : null)),
    );
    expect(renamed).toMatchObject({ sport_type: 'Run', private: true });

    // The same delivery twice (Strava retries) is one event.
    const event = {
      object_type: 'activity' as const,
      object_id: ride.id,
      aspect_type: 'delete' as const,
      owner_id: athlete.id,
    };
    const eventTime = Math.floor(h.strava.now().getTime() / 1000);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${h.baseUrl}/strava/webhook/${webhookSecret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...event,
          updates: {},
          subscription_id: h.strava.subscription()!.id,
          event_time: eventTime,
        }),
      });
      expect(response.status).toBe(200);
    }
    await eventually(() => activityByStravaId(h, ride.id).then((a) => a === undefined));
    const deletes = await h.database.db
      .selectFrom('webhook_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('object_id', '=', String(ride.id))
      .where('aspect_type', '=', 'delete')
      .executeTakeFirstOrThrow();
    expect(deletes.n).toBe(1);
    await eventually(async () => {
      const rows = await h.database.db
        .selectFrom('daily_load')
        .select('stress')
        .where('athlete_id', '=', athleteId)
        .where('stress', '>', 0)
        .execute();
      return rows.length === 0;
    });
  });

  it('a token Strava expired before we expected is refreshed once and the event still syncs; an activity without a time stream is scored from its moving time', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(5),
      initialSync: 'synced',
    });
    // Strava's clock runs ahead of ours: the token we stored as valid for hours is already dead there.
    h.strava.expireTokens(athlete.id);
    const refreshesBefore = h.strava.counters.refreshes.get(athlete.id) ?? 0;
    // Strava sends the channels it has: here none with a time series.
    const ride = h.strava.addActivity(athlete.id, { sport: 'Ride', durationS: 3600, streams: {} });
    expect(
      await h.strava.deliver({
        object_type: 'activity',
        object_id: ride.id,
        aspect_type: 'create',
        owner_id: athlete.id,
      }),
    ).toBe(200);
    const stored = await eventually(
      () => activityByStravaId(h, ride.id).then((a) => (a?.stress != null ? a : null)),
      10_000,
      'activity synced after a refresh',
    );
    expect(stored.stress_method).toBe('estimated');
    expect(stored.stress).toBeGreaterThan(0);
    expect((h.strava.counters.refreshes.get(athlete.id) ?? 0) - refreshesBefore).toBe(1);
    const connection = await h.database.db
      .selectFrom('strava_connections')
      .select('status')
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(connection.status).toBe('active');

    // A delete event names its owner: another athlete's activity with that id is not touched.
    const { strava: other } = await givenConnectedAthlete(h, { discordUserId: user(6) });
    const event = await h.strava.deliver({
      object_type: 'activity',
      object_id: ride.id,
      aspect_type: 'delete',
      owner_id: other.id,
    });
    expect(event).toBe(200);
    await eventually(() =>
      h.database.db
        .selectFrom('webhook_events')
        .select('status')
        .where('object_id', '=', String(ride.id))
        .where('aspect_type', '=', 'delete')
        .where('status', '=', 'ignored')
        .executeTakeFirst(),
    );
    expect(await activityByStravaId(h, ride.id)).toBeDefined();
  });

  it('an event for an athlete we do not know is recorded and ignored', async () => {
    expect(
      await h.strava.deliver({
        object_type: 'activity',
        object_id: 42,
        aspect_type: 'create',
        owner_id: 999_999,
      }),
    ).toBe(200);
    const event = await eventually(() =>
      h.database.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('owner_id', '=', '999999')
        .where('status', '=', 'ignored')
        .executeTakeFirst(),
    );
    expect(event.detail).toBe('unknown athlete');
  });

  it('deauthorization deletes the athlete’s Strava data and tokens within seconds', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(3),
      history: { count: 5, durationS: 300 },
      initialSync: 'synced',
    });
    h.strava.revoke(athlete.id);
    await h.strava.deliver({
      object_type: 'athlete',
      object_id: athlete.id,
      aspect_type: 'update',
      owner_id: athlete.id,
      updates: { authorized: 'false' },
    });
    await eventually(
      async () => {
        const connection = await h.database.db
          .selectFrom('strava_connections')
          .select('athlete_id')
          .where('athlete_id', '=', athleteId)
          .executeTakeFirst();
        const activities = await h.database.db
          .selectFrom('activities')
          .select('id')
          .where('athlete_id', '=', athleteId)
          .execute();
        const load = await h.database.db
          .selectFrom('daily_load')
          .select('date')
          .where('athlete_id', '=', athleteId)
          .execute();
        return !connection && activities.length === 0 && load.length === 0;
      },
      10_000,
      'deauthorization',
    );
  });

  it('twenty concurrent jobs needing a fresh token make one refresh call', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, { discordUserId: user(4) });
    // Five minutes of the token's six hours are left: due for a refresh, as Strava sees it and as we do.
    h.strava.advance(6 * 3600_000 - 5 * 60_000);
    const before = h.strava.counters.refreshes.get(athlete.id) ?? 0;
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => h.ctx.strava!.sync.accessToken(athleteId)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect((h.strava.counters.refreshes.get(athlete.id) ?? 0) - before).toBe(1);
    expect(h.strava.issuedTokens()).toContain(tokens[0]);
    h.strava.setNow(new Date());
  });

  it('a database dump contains no plaintext token', async () => {
    const tables = await sql<{ schema: string; name: string }>`
      SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`.execute(h.database.db);
    let dump = '';
    for (const table of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(`${table.schema}.${table.name}`)} t`.execute(
        h.database.db,
      );
      dump += rows.rows.map((r) => r.row).join('\n');
    }
    expect(dump.length).toBeGreaterThan(1000);
    const issued = h.strava.issuedTokens();
    expect(issued.length).toBeGreaterThan(0);
    for (const token of issued) expect(dump).not.toContain(token);
  });
});

describe('Strava backfill under rate limits (slices driven directly, clock fast-forwarded)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fakeNow: new Date('2026-11-25T08:00:00Z') });
  });
  afterAll(async () => h.stop());
  afterEach(() => h.strava.injectFaults(null));

  /** Runs slices until the run finishes, jumping the shared clock to each rate-limit resume time. */
  async function drive(runId: string, options: { extraHoursAtWait?: number } = {}) {
    let waits = 0;
    for (let i = 0; i < 10_000; i++) {
      const outcome = await runBackfillSlice(h.ctx.strava!.sync, runId);
      if (outcome === 'finished') break;
      if (outcome === 'waiting') {
        waits++;
        const run = await h.database.db
          .selectFrom('sync_runs')
          .select('resume_at')
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        if (run.resume_at && run.resume_at > h.strava.now()) h.strava.setNow(run.resume_at);
        // Long waits (a daily limit, a night) let the 6-hour access token expire.
        if (waits === 3 && options.extraHoursAtWait) h.strava.advance(options.extraHoursAtWait * 3600_000);
      }
    }
    return h.database.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
  }

  it('500 activities under Strava’s default limits: no 429, the fewest windows, nothing skipped or duplicated, tokens refreshed on the way', async () => {
    // The initial sync is left aside: this test drives its own run.
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(10),
      history: { count: 520, durationS: 240 },
      initialSync: 'cancelled',
    });
    const windowsBefore = h.strava.windowsUsed.size;
    const refreshesBefore = h.strava.counters.refreshes.get(athlete.id) ?? 0;
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 500,
      updateExisting: false,
    });
    // Hours pass during the backfill: the 6-hour token expires and must be refreshed.
    const run = await drive(runId, { extraHoursAtWait: 7 });
    expect(run).toMatchObject({ state: 'done', listed: 500, synced: 500, skipped: 0, failed: 0 });
    expect(h.strava.counters.served429).toBe(0);
    const manual = await h.database.db
      .selectFrom('activities')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .where('manual', '=', true)
      .executeTakeFirstOrThrow();
    const calls = 3 + 500 - manual.n; // three list pages (200, 200, 100) and one streams call per non-manual activity
    expect(run.api_calls).toBe(calls);
    // 90 backfill reads per 15-minute window (100 minus the live reserve): the minimum the limits allow.
    expect(h.strava.windowsUsed.size - windowsBefore).toBe(Math.ceil(calls / 90));
    const distinct = await h.database.db
      .selectFrom('activities')
      .select(sql<number>`count(DISTINCT strava_id)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(distinct.n).toBe(500);
    // The 500 newest of the 520 were taken.
    const oldest = await h.database.db
      .selectFrom('activities')
      .select(sql<string>`min(start_date)::text`.as('d'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(new Date(oldest.d).getTime()).toBeGreaterThan(
      h.strava.now().getTime() - 520 * 86_400_000 - 30 * 86_400_000,
    );
    expect((h.strava.counters.refreshes.get(athlete.id) ?? 0) - refreshesBefore).toBe(1);
  }, 120_000);

  it('5xx and timeouts injected at 20 %: everything still arrives', async () => {
    const { athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(11),
      history: { count: 60, durationS: 240 },
      initialSync: 'cancelled',
    });
    h.strava.injectFaults({ rate: 0.2, kinds: ['500', '503', 'timeout'], seed: 3, timeoutMs: 300 });
    const client = h.ctx.strava!.client;
    expect(client).toBeDefined();
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 60,
      updateExisting: false,
    });
    const run = await drive(runId);
    expect(run).toMatchObject({ state: 'done', synced: 60, failed: 0 });
    expect(h.strava.counters.faults).toBeGreaterThan(5);
    const stored = await h.database.db
      .selectFrom('activity_metrics')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(stored.n).toBe(60);
  }, 120_000);

  it('a token that dies mid-backfill on Strava’s side is refreshed once and the run goes on', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(13),
      history: { count: 25, durationS: 240 },
      initialSync: 'cancelled',
    });
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 25,
      updateExisting: false,
    });
    await runBackfillSlice(h.ctx.strava!.sync, runId);
    const refreshesBefore = h.strava.counters.refreshes.get(athlete.id) ?? 0;
    h.strava.expireTokens(athlete.id);
    const run = await drive(runId);
    expect(run).toMatchObject({ state: 'done', listed: 25, synced: 25, failed: 0, skipped: 0 });
    expect((h.strava.counters.refreshes.get(athlete.id) ?? 0) - refreshesBefore).toBe(1);
  }, 60_000);

  it('a short page is not the last: listing goes on until an empty page', async () => {
    const { athleteId, history } = await givenConnectedAthlete(h, {
      discordUserId: user(14),
      history: { count: 30, durationS: 240 },
      initialSync: 'cancelled',
    });
    // Newest first: the first page of 20 comes back with 19.
    const newestFirst = [...history].sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    h.strava.hideFromList(newestFirst[3]!.id);
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 20,
      updateExisting: false,
    });
    const run = await drive(runId);
    expect(run).toMatchObject({ state: 'done', listed: 20, synced: 20, failed: 0 });
  }, 60_000);

  it('a run interrupted mid-way resumes where it stopped with the same final state', async () => {
    const { athleteId } = await givenConnectedAthlete(h, {
      discordUserId: user(12),
      history: { count: 45, durationS: 240 },
      initialSync: 'cancelled',
    });
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 45,
      updateExisting: false,
    });
    // Two slices, then the "worker" dies: nothing of it survives but what it committed.
    await runBackfillSlice(h.ctx.strava!.sync, runId);
    await runBackfillSlice(h.ctx.strava!.sync, runId);
    const midway = await h.database.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(midway.synced).toBeGreaterThan(0);
    expect(midway.synced).toBeLessThan(45);
    // A restarted worker runs the same job again, and a duplicate of it races alongside.
    await Promise.all([drive(runId), drive(runId)]);
    const done = await h.database.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ state: 'done', listed: 45, synced: 45, failed: 0, skipped: 0 });
    const rows = await h.database.db
      .selectFrom('activities')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(rows.n).toBe(45);
  }, 60_000);
});
