import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { startSync } from '../ingest/sync/start-sync.ts';
import { subscriptionService, webhookCallbackUrl } from '../ingest/webhook/subscription.ts';
import { jobNames } from '../lib/jobs/job-names.ts';
import { fakeEnv, spawnApp } from '../test/app-process.ts';
import { eventually, freePort } from '../test/context.ts';
import {
  type BenchApp,
  benchVerifyToken,
  benchWebhookSecret,
  percentile,
  round,
  startBenchApp,
} from './bench-app.ts';
import type { LoadPlan, LoadResult } from './load-generator.ts';

const ackRate = 500;
const ackSeconds = 10;
const ackWarmupSeconds = 1;
const capacityRates = [750, 1000, 1250, 1500, 2000, 2500, 3000];
const capacityStepSeconds = 4;
const capacityP99Ms = 50;
const pmcRuns = 5;
const backfillCount = 1000;
const drainEvents = 20_000;
/** The drain stops being timed here and extrapolates from its rate (the old settings took ~10 hours). */
const drainCapSeconds = Number(process.env.BENCH_DRAIN_CAP_SECONDS ?? 600);
const unlimited = { overall15: 1e9, overallDay: 1e9, read15: 1e9, readDay: 1e9 };

/**
 * The Strava pipeline end to end against the fake: webhook acknowledgement latency and capacity under an
 * open load (workers off, so only the request path is measured; see measureWebhookAck), webhook-to-PMC time for one activity (workers
 * on), and a 1,000-activity backfill with Strava's rate limits lifted.
 */
export async function run(): Promise<Record<string, unknown>> {
  const loadAtStart = loadavg()[0] ?? 0;
  const app = await startBenchApp();
  try {
    app.strava.setLimits(unlimited);
    // Strava validates the callback with a real GET before the subscription exists.
    await subscriptionService({
      db: app.database.db,
      client: app.ctx.strava!.client,
      callbackUrl: webhookCallbackUrl(app.baseUrl, benchWebhookSecret),
      verifyToken: benchVerifyToken,
    }).create();

    // Both athletes connect before the workers start; the backfill athlete's automatic initial sync is
    // cancelled so the measured run imports all 1,000 activities itself.
    const live = app.strava.addAthlete();
    const liveAthleteId = await connect(app, '640000000000000001', live.id);
    const history = app.strava.addAthlete();
    app.strava.addHistory(history.id, backfillCount);
    const historyAthleteId = await connect(app, '640000000000000002', history.id);
    await app.database.db
      .updateTable('sync_runs')
      .set({ state: 'cancelled' })
      .where('athlete_id', '=', historyAthleteId)
      .execute();

    const webhookAck = await measureWebhookAck(app);
    // The load's events belong to unknown athletes; their queued jobs would only delay the runs below.
    await app.boss.deleteQueuedJobs(jobNames.webhookEvent);

    await enqueueWebhookBacklog(app, drainEvents);
    const drainStart = performance.now();
    await app.startWorkers();
    const drain = await measureDrain(app, drainEvents, drainStart);
    process.stderr.write(`ingest: drain of ${drainEvents} webhook events: ${JSON.stringify(drain)}\n`);
    await eventually(() => runDone(app, liveAthleteId), 30_000, 'initial sync of the live athlete');
    const webhookToPmc = await measureWebhookToPmc(app, live.id);
    const backfill = await measureBackfill(app, historyAthleteId);

    return {
      // Benchmarks on a shared machine: the load at the start says how much of it was ours.
      host: { cpus: availableParallelism(), load_1m_at_start: round(loadAtStart, 2) },
      database: (process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL) ? 'server' : 'embedded',
      webhook_ack: webhookAck,
      webhook_to_pmc: webhookToPmc,
      backfill,
      drain_20k_s: drain.seconds,
      drain,
      targets: { webhook_capacity_rps_min: 1000, drain_20k_s_max: 120, webhook_to_pmc_ms_max: 1000 },
    };
  } finally {
    await app.stop();
  }
}

async function connect(app: BenchApp, discordUserId: string, stravaAthleteId: number): Promise<string> {
  app.strava.authorizeAs(stravaAthleteId);
  const { url } = await createConnectLink(app.database.db, app.ctx.config.publicUrl, discordUserId);
  // The browser's path: our redirect, Strava's authorize page, the callback.
  const ours = await fetch(url, { redirect: 'manual' });
  const atStrava = await fetch(ours.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(atStrava.headers.get('location') ?? '');
  await callback.body?.cancel();
  if (callback.status !== 200) throw new Error(`connect failed with ${callback.status}`);
  const row = await app.database.db
    .selectFrom('athletes')
    .select('id')
    .where('discord_user_id', '=', discordUserId)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Webhook acknowledgements as production serves them: the compiled web service in its own process (as
 * Compose runs it, LOG_LEVEL=info, on the bench database) and the load generator in another
 * (bench/load-generator.ts), so neither shares an event loop with the other or with this process's fakes.
 * Open loop: p50/p99 at 500 requests/s, then rising rates until one misses (p99 over 50 ms, errors, or the
 * rate not kept up); capacity is the highest rate that held.
 */
export async function measureWebhookAck(
  app: BenchApp,
  options: { nodeFlags?: string[]; rates?: number[] } = {},
) {
  const subscription = app.strava.subscription();
  if (!subscription) throw new Error('no push subscription');
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const port = await freePort();
  const server = spawnApp({
    services: ['web'],
    compiled: true,
    logLevel: 'info',
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
    env: fakeEnv({
      databaseUrl: app.database.url,
      port,
      strava: app.strava,
      webhookSecret: benchWebhookSecret,
      verifyToken: benchVerifyToken,
    }),
  });
  try {
    await server.ready;
    const url = new URL(new URL(subscription.callbackUrl).pathname, `http://127.0.0.1:${port}`).toString();
    const eventTime = Math.floor(app.strava.now().getTime() / 1000);
    let first = 0;
    const load = async (rate: number, seconds: number) => {
      const plan: LoadPlan = {
        url,
        rate,
        seconds,
        warmupSeconds: ackWarmupSeconds,
        subscriptionId: subscription.id,
        first,
        eventTime,
      };
      first += Math.round(rate * (seconds + ackWarmupSeconds));
      const serverCpuBefore = server.cpuMs();
      const result = await runGenerator(plan);
      const serverCpuMs = server.cpuMs() - serverCpuBefore;
      const latencies = result.latencies.sort((a, b) => a - b);
      const achieved = result.measured / result.seconds;
      const p99 = percentile(latencies, 99);
      return {
        offered_rps: rate,
        achieved_rps: round(achieved, 1),
        requests: result.measured,
        errors: result.errors,
        p50_ms: round(percentile(latencies, 50), 2),
        p99_ms: round(p99, 2),
        max_ms: round(latencies.at(-1) ?? Number.NaN, 2),
        generator_max_send_lag_ms: round(result.maxSendLagMs, 1),
        generator_cpu_ms: round(result.cpuMs, 0),
        server_cpu_ms_per_request: round(serverCpuMs / (rate * (seconds + ackWarmupSeconds)), 3),
        held: result.errors === 0 && p99 <= capacityP99Ms && achieved >= rate * 0.97,
      };
    };
    const at500 = await load(ackRate, ackSeconds);
    const steps = [];
    let capacity = 0;
    for (const rate of options.rates ?? capacityRates) {
      const step = await load(rate, capacityStepSeconds);
      steps.push(step);
      if (!step.held) break;
      capacity = rate;
    }
    // Requests still in the server when the client stopped counting: wait until the tables stop changing.
    let counts = await storedCounts(app);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const next = await storedCounts(app);
      if (next.events === counts.events && next.jobs === counts.jobs) break;
      counts = next;
    }
    return {
      server: 'compiled web process (start --only web), LOG_LEVEL=info',
      generator: 'own process, open loop',
      at_500_rps: at500,
      capacity_rps: capacity,
      capacity_rule: `highest offered rate with p99 <= ${capacityP99Ms} ms, no errors, >= 97% of the rate achieved`,
      steps,
      // Every accepted event is one row and one queued job (warm-up requests included).
      events_sent: first,
      events_stored: counts.events,
      jobs_queued: counts.jobs,
      server_rss_mb: round(server.memory().rssKb / 1024, 1),
      workers: 'off',
    };
  } finally {
    await server.stop();
  }
}

function runGenerator(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./load-generator.ts', import.meta.url)),
        JSON.stringify(plan),
      ],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as LoadResult)),
    );
  });
}

async function storedCounts(app: BenchApp): Promise<{ events: number; jobs: number }> {
  const events = await app.database.db
    .selectFrom('webhook_events')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  const jobs = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${jobNames.webhookEvent}`.execute(app.database.db);
  return { events: events.n, jobs: jobs.rows[0]?.n ?? 0 };
}

async function measureWebhookToPmc(app: BenchApp, stravaAthleteId: number) {
  const times: number[] = [];
  const acks: number[] = [];
  const queueWaits: number[] = [];
  for (let i = 0; i < pmcRuns; i++) {
    // One ride per run, each on its own earlier day, so that day's load is exactly this ride's stress.
    const ride = app.strava.addActivity(stravaAthleteId, {
      sport: 'Ride',
      durationS: 3600,
      startDate: new Date(app.strava.now().getTime() - (i + 1) * 86_400_000),
    });
    const started = performance.now();
    const status = await app.strava.deliver({
      object_type: 'activity',
      object_id: ride.id,
      aspect_type: 'create',
      owner_id: stravaAthleteId,
    });
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    acks.push(performance.now() - started);
    await eventually(
      async () => {
        const row = await app.database.db
          .selectFrom('activities')
          .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
          .innerJoin('daily_load', (join) =>
            join
              .onRef('daily_load.athlete_id', '=', 'activities.athlete_id')
              .onRef('daily_load.date', '=', 'activities.local_date'),
          )
          .select(['activity_metrics.stress as activity', 'daily_load.stress as day'])
          .where('activities.strava_id', '=', String(ride.id))
          .executeTakeFirst();
        return row?.activity != null && row.activity > 0 && Math.abs(row.day - row.activity) < 1e-6;
      },
      10_000,
      'the ride in the PMC',
      5,
    );
    times.push(performance.now() - started);
    // From the job's creation (in the webhook's transaction) to a worker taking it.
    const wait = await sql<{ ms: number }>`
      SELECT extract(epoch FROM j.started_on - j.created_on)::float8 * 1000 AS ms
      FROM pgboss.job j JOIN webhook_events e ON j.data->>'eventId' = e.id::text
      WHERE j.name = ${jobNames.webhookEvent} AND e.object_id = ${String(ride.id)}`.execute(app.database.db);
    queueWaits.push(wait.rows[0]?.ms ?? Number.NaN);
  }
  return {
    runs: times.map((t) => round(t, 1)),
    median_ms: round(medianOf(times), 1),
    ack_median_ms: round(medianOf(acks), 1),
    job_queue_wait_median_ms: round(medianOf(queueWaits), 1),
    activity: '1 h ride, 1 Hz streams',
  };
}

async function measureBackfill(app: BenchApp, athleteId: string) {
  const requestsBefore = stravaReads(app);
  const cpuBefore = process.threadCpuUsage();
  const started = performance.now();
  // /sync offers 5/20/100/500; startSync (what /sync and `cli sync` call) takes any count, so one run of
  // 1,000 exercises the same machinery: list pages of 200, then slices of items with their streams.
  const { runId } = await startSync(app.database.db, app.boss, {
    athleteId,
    kind: 'backfill',
    count: backfillCount,
    updateExisting: false,
  });
  const runRow = await eventually(
    async () => {
      const row = await app.database.db
        .selectFrom('sync_runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      return ['done', 'failed'].includes(row.state) ? row : null;
    },
    150_000,
    'the backfill',
    20,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.threadCpuUsage(cpuBefore);
  // Each slice is one job; the time between one slice finishing and the next starting is queueing.
  const slices = await sql<{ n: number; run_ms: number; gap_ms: number | null }>`
    SELECT count(*)::int AS n,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY run))::float8 AS run_ms,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY gap))::float8 AS gap_ms
    FROM (
      SELECT extract(epoch FROM completed_on - started_on) * 1000 AS run,
        extract(epoch FROM started_on - lag(completed_on) OVER (ORDER BY started_on)) * 1000 AS gap
      FROM pgboss.job WHERE name = ${jobNames.backfill} AND data->>'runId' = ${runId}
    ) s`.execute(app.database.db);
  const manual = await app.database.db
    .selectFrom('activities')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('athlete_id', '=', athleteId)
    .where('manual', '=', true)
    .executeTakeFirstOrThrow();
  return {
    state: runRow.state,
    requested: runRow.requested,
    synced: runRow.synced,
    skipped: runRow.skipped,
    failed: runRow.failed,
    manual_activities: manual.n,
    seconds: round(seconds, 2),
    activities_per_s: round(runRow.synced / seconds, 1),
    api_calls: runRow.api_calls,
    api_calls_per_activity: round(runRow.api_calls / runRow.synced, 3),
    strava_requests_seen_by_fake: stravaReads(app) - requestsBefore,
    strava_429s: app.strava.counters.served429,
    slice_jobs: slices.rows[0]?.n ?? 0,
    slice_run_median_ms: round(slices.rows[0]?.run_ms ?? Number.NaN, 1),
    slice_gap_median_ms: round(slices.rows[0]?.gap_ms ?? Number.NaN, 1),
    // The app's workers and the Strava fake share this process's main thread: near 1 means CPU-bound here.
    main_thread_cpu_share: round((cpu.user + cpu.system) / 1000 / (seconds * 1000), 2),
  };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return percentile(sorted, 50);
}

function stravaReads(app: BenchApp): number {
  return Object.entries(app.strava.counters.requests)
    .filter(([key]) => key.startsWith('GET /') && !key.includes('push_subscriptions'))
    .reduce((sum, [, n]) => sum + n, 0);
}

function runDone(app: BenchApp, athleteId: string) {
  return app.database.db
    .selectFrom('sync_runs')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('state', '=', 'done')
    .executeTakeFirst();
}

/**
 * A backlog as a burst leaves it: `count` stored events, each with its queued job, written in bulk before
 * any worker runs. Their owners are not connected here, so each job is the queue's own cost (fetch, read
 * the event, look up the owner, mark it, complete), not Strava's.
 */
export async function enqueueWebhookBacklog(app: BenchApp, count: number): Promise<void> {
  const subscriptionId = String(app.strava.subscription()?.id ?? 1);
  for (let first = 0; first < count; first += 1000) {
    const rows = await app.database.db
      .insertInto('webhook_events')
      .values(
        Array.from({ length: Math.min(1000, count - first) }, (_, n) => ({
          dedup_key: `drain-${first + n}`,
          subscription_id: subscriptionId,
          object_type: 'activity' as const,
          object_id: String(14_000_000_000 + first + n),
          aspect_type: 'create' as const,
          owner_id: String(80_000_000 + ((first + n) % 997)),
          event_time: String(1_790_000_000 + first + n),
          updates: '{}',
        })),
      )
      .returning('id')
      .execute();
    await app.boss.insert(
      jobNames.webhookEvent,
      rows.map((row) => ({ data: { eventId: row.id }, priority: 10 })),
    );
  }
}

/** Seconds until every backlog event is processed (extrapolated from the rate when past the cap). */
export async function measureDrain(app: BenchApp, count: number, start: number) {
  const processed = async () =>
    Number(
      (
        await app.database.db
          .selectFrom('webhook_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('dedup_key', 'like', 'drain-%')
          .where('processed_at', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  for (;;) {
    const done = await processed();
    const seconds = (performance.now() - start) / 1000;
    if (done >= count)
      return { events: count, seconds: round(seconds, 1), events_per_s: round(count / seconds, 0) };
    if (seconds > drainCapSeconds) {
      const rate = done / seconds;
      return {
        events: count,
        processed_in_cap: done,
        seconds: rate > 0 ? round(count / rate, 0) : null,
        extrapolated: true,
        events_per_s: round(rate, 2),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
