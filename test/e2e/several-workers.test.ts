import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSync } from '../../ingest/sync/start-sync.ts';
import { generateFernetKey } from '../../lib/fernet.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { type AppProcess, fakeEnv, spawnApp } from '../app-process.ts';
import { eventually, givenConnectedAthlete, type Harness, startHarness } from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

const workerCount = 3;
const historySize = 1000;
const digestUsers = ['620000000000000001', '620000000000000002', '620000000000000003', '620000000000000004'];
const streamRequests = 'GET /activities/:id/streams';

/**
 * Three worker processes (as `docker compose up --scale worker=3` runs them) on one database, with the
 * web side in this process: Postgres and pg-boss are all they share.
 */
describe('several worker processes on one database', () => {
  let discord: DiscordFake;
  let h: Harness;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'workers-token', quiet: true });
    const tokenKey = generateFernetKey();
    const discordEnv = {
      DISCORD_TOKEN: 'workers-token',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
    };
    h = await startHarness({ env: { ...discordEnv, TOKEN_ENCRYPTION_KEY: tokenKey } });
    // Generous limits first; the rate-limit case below tightens them.
    h.strava.setLimits({ overall15: 100_000, overallDay: 1_000_000, read15: 100_000, readDay: 1_000_000 });
    const env = fakeEnv({
      databaseUrl: h.database.url,
      port: 1, // workers serve no HTTP
      strava: h.strava,
      discord,
      discordToken: 'workers-token',
      webhookSecret: 'test-webhook-secret-0123456789',
      verifyToken: 'test-verify-token',
      tokenKey,
    });
    // One after another: three TypeScript start-ups at once crowd a small CI machine.
    for (let i = 0; i < workerCount; i++) {
      const worker = spawnApp({ services: ['worker'], env });
      workers.push(worker);
      await worker.ready;
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await h?.stop();
    await discord?.close();
  });

  it('sends each athlete one digest a day, however many workers run the tick', async () => {
    for (const user of digestUsers) {
      const row = await h.database.db
        .insertInto('athletes')
        .values({ discord_user_id: user, timezone: 'UTC', digest_time: '00:00', digest_enabled: true })
        .returning('id')
        .executeTakeFirstOrThrow();
      await h.database.db
        .insertInto('daily_load')
        .values({
          athlete_id: row.id,
          date: '2026-01-05',
          stress: 80,
          ctl: 50,
          atl: 60,
          tsb: -8,
          ramp: 2,
          sources: ['strava_api'],
        })
        .execute();
    }
    // Every worker's schedule fires the tick; here it fires repeatedly while all three are polling.
    for (let i = 0; i < 6; i++) {
      await h.boss.send(jobNames.digestTick, {});
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await eventually(
      async () => digestUsers.every((user) => discord.dms(user).length > 0),
      30_000,
      'a digest for every athlete',
    );
    // Late duplicates would arrive within the next polls.
    await h.boss.send(jobNames.digestTick, {});
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(digestUsers.map((user) => discord.dms(user).length)).toEqual(digestUsers.map(() => 1));
  }, 60_000);

  it('backfills 1,000 activities exactly once, with a worker killed (kill -9) half way', async () => {
    const { athleteId } = await givenConnectedAthlete(h, {
      discordUserId: '620000000000000010',
      history: { count: historySize, durationS: 600 },
      initialSync: 'synced',
    });
    const { runId } = await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: historySize,
      updateExisting: false,
    });
    const progress = () =>
      h.database.db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    await eventually(async () => (await progress()).synced >= 250, 60_000, 'a quarter of the backfill');
    // A machine or container lost mid-way: kill -9, nothing finishes. The slice it held comes back to
    // another worker once its heartbeat stops.
    const killed = workers.shift()!;
    await killed.stop('SIGKILL');
    // Stream fetches whose activity was not committed when it died (its own in flight, and the others'
    // that were still to commit): the only ones that may be fetched again. Committed first, then
    // requests, so the difference can only overcount.
    const committedAtKill = await h.database.db
      .selectFrom('activities')
      .select(h.database.db.fn.countAll<number>().as('n'))
      .where('athlete_id', '=', athleteId)
      .where('manual', '=', false)
      .executeTakeFirstOrThrow();
    const inFlightAtKill = (h.strava.counters.requests[streamRequests] ?? 0) - Number(committedAtKill.n);
    expect((await progress()).state).not.toBe('done');
    const run = await eventually(
      async () => {
        const row = await progress();
        return row.state === 'done' || row.state === 'failed' ? row : null;
      },
      90_000,
      'the backfill',
    );
    expect(run).toMatchObject({ state: 'done', failed: 0 });
    const stored = await sql<{ n: number; distinct: number }>`
      SELECT count(*)::int AS n, count(DISTINCT strava_id)::int AS distinct FROM activities
      WHERE athlete_id = ${athleteId}`.execute(h.database.db);
    expect(stored.rows[0]).toEqual({ n: historySize, distinct: historySize });
    // Exactly once: the streams of every activity that has them (manual entries have none) were fetched
    // once, by one of the workers, except those in flight when the worker died (fetched, never committed).
    const manual = await h.database.db
      .selectFrom('activities')
      .select(h.database.db.fn.countAll<number>().as('n'))
      .where('athlete_id', '=', athleteId)
      .where('manual', '=', true)
      .executeTakeFirstOrThrow();
    const withStreams = historySize - Number(manual.n);
    const fetched = h.strava.counters.requests[streamRequests] ?? 0;
    expect(fetched).toBeGreaterThanOrEqual(withStreams);
    expect(fetched - withStreams).toBeLessThanOrEqual(inFlightAtKill);
    // One item at a time per slice and one slice of a run at a time: a handful at most.
    expect(inFlightAtKill).toBeLessThanOrEqual(3);
    expect(h.strava.counters.served429).toBe(0);
  }, 180_000);

  it('keeps the shared Strava budget across processes: the workers stop at the limit, no 429', async () => {
    const used = Object.entries(h.strava.counters.requests)
      .filter(([key]) => !key.includes('push_subscriptions'))
      .reduce((sum, [, n]) => sum + n, 0);
    // 60 more reads this window: less than the next athlete's import needs.
    h.strava.setLimits({
      overall15: used + 60,
      overallDay: 1_000_000,
      read15: used + 60,
      readDay: 1_000_000,
    });
    const { athleteId } = await givenConnectedAthlete(h, {
      discordUserId: '620000000000000011',
      history: { count: 200, durationS: 600 },
    });
    await startSync(h.database.db, h.boss, {
      athleteId,
      kind: 'backfill',
      count: 200,
      updateExisting: false,
    });
    // The workers spend the budget, then wait for the next window: the request count stops growing.
    const requests = () => Object.values(h.strava.counters.requests).reduce((sum, n) => sum + n, 0);
    let last = -1;
    await eventually(
      async () => {
        const now = requests();
        const settled = now === last && now > used;
        last = now;
        if (!settled) await new Promise((resolve) => setTimeout(resolve, 2_000));
        return settled;
      },
      60_000,
      'the workers to stop at the budget',
    );
    expect(h.strava.counters.served429).toBe(0);
    const imported = await h.database.db
      .selectFrom('activities')
      .select(h.database.db.fn.countAll<number>().as('n'))
      .where('athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow();
    // Some of the history came in, not all of it: the budget, not the work, stopped them.
    expect(Number(imported.n)).toBeGreaterThan(0);
    expect(Number(imported.n)).toBeLessThan(200);
  }, 90_000);
});
