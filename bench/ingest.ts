import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { jobNames } from '../app/job-names.ts';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { startSync } from '../ingest/sync/start-sync.ts';
import { subscriptionService, webhookCallbackUrl } from '../ingest/webhook/subscription.ts';
import {
  type BenchApp,
  benchVerifyToken,
  benchWebhookSecret,
  percentile,
  round,
  startBenchApp,
} from './bench-app.ts';

const ackRate = 500;
const ackSeconds = 10;
const ackWarmupSeconds = 1;
const capacityRequests = 2000;
const capacityConcurrency = 32;
const pmcRuns = 5;
const backfillCount = 1000;
const drainEvents = 20_000;
/** The drain stops being timed here and extrapolates from its rate (the old settings took ~10 hours). */
const drainCapSeconds = Number(process.env.BENCH_DRAIN_CAP_SECONDS ?? 600);
const unlimited = { overall15: 1e9, overallDay: 1e9, read15: 1e9, readDay: 1e9 };

/**
 * The Strava pipeline end to end against the fake: webhook acknowledgement latency under a sustained open
 * load (workers off, so only the request path is measured), webhook-to-PMC time for one activity (workers
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
    await waitFor(() => runDone(app, liveAthleteId), 30_000, 'initial sync of the live athlete');
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
      targets: { drain_20k_s_max: 120, webhook_ack_p99_ms_max: 2000, webhook_to_pmc_ms_max: 1000 },
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

// The load generator runs on its own thread so the client's work does not share the server's event loop.
// Open loop: request i is due at start + i/rate whether or not earlier ones have answered.
const loadGenerator = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { url, bodies, rate, warmup, concurrency } = workerData;
// FIFO reuse keeps every open socket busy, so none idles into the server's keep-alive timeout and
// races its close (a client artefact that would show up as a reset).
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'fifo' });
const target = new URL(url);
const interval = 1000 / rate;
const latencies = [];
let sent = 0, done = 0, errors = 0, late = 0, maxLag = 0, lastEnd = 0;
const statuses = {};
const start = performance.now() + 20;
function send(i) {
  const body = bodies[i];
  const began = performance.now();
  if (!concurrency && i >= warmup) maxLag = Math.max(maxLag, began - (start + i * interval));
  let settled = false;
  const finish = (status) => {
    if (settled) return;
    settled = true;
    const end = performance.now();
    if (i >= warmup) {
      statuses[status] = (statuses[status] || 0) + 1;
      if (status === 200) latencies.push(end - began); else errors++;
      if (status === 200 && end - began > 2000) late++;
      lastEnd = Math.max(lastEnd, end);
    }
    if (concurrency && sent < bodies.length) send(sent++);
    if (++done === bodies.length) {
      const measured = bodies.length - warmup;
      const firstDue = start + warmup * interval;
      const seconds = (lastEnd - (concurrency ? start : firstDue)) / 1000;
      parentPort.postMessage({ latencies, errors, late, statuses, maxLag, measured, seconds });
      agent.destroy();
    }
  };
  const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
    agent, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => { res.resume(); res.on('end', () => finish(res.statusCode)); res.on('error', () => finish('error')); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (error) => finish('error:' + (error.code || error.message)));
  req.end(body);
}
function tick() {
  const due = Math.min(bodies.length, Math.floor((performance.now() - start) / interval) + 1);
  while (sent < due) send(sent++);
  if (sent < bodies.length) setTimeout(tick, 1);
}
// Closed loop (capacity): keep \`concurrency\` requests in flight, each answer sending the next.
if (concurrency) setTimeout(() => { while (sent < Math.min(concurrency, bodies.length)) send(sent++); }, 20);
else setTimeout(tick, 20);
`;

interface LoadResult {
  latencies: number[];
  errors: number;
  late: number;
  statuses: Record<string, number>;
  maxLag: number;
  measured: number;
  seconds: number;
}

/** Real Strava event bodies: mostly creates, some title/type/privacy updates and deletes, all distinct. */
function webhookBodies(subscriptionId: number, first: number, count: number, eventTime: number): string[] {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const aspect = i % 10 < 7 ? 'create' : i % 10 < 9 ? 'update' : 'delete';
    return JSON.stringify({
      aspect_type: aspect,
      event_time: eventTime + Math.floor(i / ackRate),
      object_id: 13_000_000_000 + i,
      object_type: 'activity',
      owner_id: 90_000_000 + (i % 997),
      subscription_id: subscriptionId,
      updates: aspect === 'update' ? { title: `Lunch ride ${i}`, private: 'false' } : {},
    });
  });
}

function runLoad(workerData: {
  url: string;
  bodies: string[];
  rate: number;
  warmup: number;
  concurrency: number;
}): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(loadGenerator, { eval: true, workerData });
    worker.once('message', (message: LoadResult) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function measureWebhookAck(app: BenchApp) {
  const subscription = app.strava.subscription();
  if (!subscription) throw new Error('no push subscription');
  const warmup = ackRate * ackWarmupSeconds;
  const eventTime = Math.floor(app.strava.now().getTime() / 1000);
  const bodies = webhookBodies(subscription.id, 0, warmup + ackRate * ackSeconds, eventTime);
  const serverCpu = process.threadCpuUsage();
  const open = await runLoad({
    url: subscription.callbackUrl,
    bodies,
    rate: ackRate,
    warmup,
    concurrency: 0,
  });
  const cpu = process.threadCpuUsage(serverCpu);
  // Requests the client gave up on may still be in the server: count once the tables stop changing.
  let counts = await storedCounts(app);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await storedCounts(app);
    if (next.events === counts.events && next.jobs === counts.jobs) break;
    counts = next;
  }
  const latencies = open.latencies.sort((a, b) => a - b);

  // Capacity: as many requests as the path answers with 32 in flight (a closed loop, for comparison).
  const capacityBodies = webhookBodies(subscription.id, bodies.length, capacityRequests, eventTime);
  const closed = await runLoad({
    url: subscription.callbackUrl,
    bodies: capacityBodies,
    rate: ackRate,
    warmup: 0,
    concurrency: capacityConcurrency,
  });
  return {
    target_rps: ackRate,
    seconds: round(open.seconds, 2),
    requests: open.measured,
    achieved_rps: round(open.measured / open.seconds, 1),
    errors: open.errors,
    over_2s: open.late,
    statuses: open.statuses,
    p50_ms: round(percentile(latencies, 50), 2),
    p99_ms: round(percentile(latencies, 99), 2),
    max_ms: round(latencies.at(-1) ?? Number.NaN, 2),
    client_max_send_lag_ms: round(open.maxLag, 2),
    server_thread_cpu_ms_per_request: round((cpu.user + cpu.system) / 1000 / bodies.length, 3),
    workers: 'off',
    // Warm-up requests included: every accepted event is one row and one queued job.
    events_sent: bodies.length,
    events_stored: counts.events,
    jobs_queued: counts.jobs,
    capacity: {
      concurrency: capacityConcurrency,
      requests: closed.measured,
      rps: round(closed.measured / closed.seconds, 1),
      errors: closed.errors,
      p50_ms: round(medianOf(closed.latencies), 2),
    },
  };
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
    await waitFor(
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
  const runRow = await waitFor(
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

async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
