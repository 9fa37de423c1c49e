/**
 * The one test context: every test builds the state it starts from here, in layers, each the one above
 * plus more, so a set-up is written once and a test names only the layer it needs.
 *
 *   createTestDatabase()      a fresh migrated database of the test file's own (copied from the run's
 *                             template); the base of every layer
 *   processContext(db, ...)   the context a process hands its parts (AppContext) on that database: config
 *                             from `env`, a silent logger, a fixed clock, no pg-boss (commands, the coach)
 *   startDatabaseContext()    the two above with one stop(); startCoachContext() adds the OpenAI fake,
 *                             its key and URL in every context's config
 *   startServices()           + a started pg-boss: the worker's services without Strava or Discord
 *                             (imports, exports, jobs run by hand or by a child process)
 *   startAppOnFakes()         the whole application (web routes, every job, the Strava client) on a given
 *   startHarness()            database with Strava pointed at the fake; startHarness owns the database
 *                             and the fake too and is what end-to-end tests start
 *
 * `activityDeps(db)` is what the activity write path (`recordDelivery`) needs (the database, a clock and a
 * logger; it calls the metrics engine itself). startDatabaseContext, startServices and startHarness expose
 * theirs as `deps`.
 *
 * Builders make the state a test starts from through the real paths (the Strava fake and the OAuth flow:
 * `givenConnectedAthlete`; Strava's webhook subscription: `givenWebhookSubscription`; the activity write
 * path: `givenStravaActivity`), so a test never holds rows a real athlete could not produce. (Fixtures that need exact stored numbers — `createActivity` here,
 * coach/eval/fixture.ts — write the tables the readers read, and say so.)
 *
 * vitest is imported where used, not at the top: benches (tsx, no test runner) start the app from here.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { DestinationStream } from 'pino';
import type { z } from 'zod';
import { type ActivityDeps, recordDelivery } from '../activities/record-delivery.ts';
import { buildAppContext } from '../app/build-context.ts';
import type { AppContext } from '../app/context.ts';
import { createBoss, createQueues, startWorkers } from '../app/job-runner.ts';
import { jobDefinitions } from '../app/jobs.ts';
import { webRouters } from '../app/web-routers.ts';
import { createWebService } from '../app/web-service.ts';
import type { Invoker, SlashCommand } from '../bot/command.ts';
import { connectDb, type Db, type DbHandle } from '../db/connect.ts';
import { ensureAthlete } from '../db/queries/athletes.ts';
import { toJson } from '../db/tables/json.ts';
import { createConnectLink } from '../ingest/connect/connect-links.ts';
import { subscriptionService, webhookCallbackUrl } from '../ingest/webhook/subscription.ts';
import { loadConfig } from '../lib/config.ts';
import { generateFernetKey } from '../lib/fernet.ts';
import type { JobDefinition } from '../lib/jobs/job-definition.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import { type OpenAiFake, startOpenAiFake } from './fakes/openai/openai-fake.ts';
import {
  type FakeActivity,
  type FakeAthlete,
  type StravaFake,
  startStravaFake,
} from './fakes/strava/strava-fake.ts';
import { withDatabase } from './global-setup.ts';

export const webhookSecret = 'test-webhook-secret-0123456789';
export const verifyToken = 'test-verify-token';

const testLogLevel = () => process.env.TEST_LOG_LEVEL ?? 'silent';
const at = (now: Date | (() => Date) | undefined): (() => Date) | undefined =>
  now instanceof Date ? () => now : now;

// ─── the database ────────────────────────────────────────────────────────────────────────────────────

export interface TestDatabase extends DbHandle {
  /** Connection string of this file's own database (for pg-boss, child processes, ...). */
  url: string;
  /** Drops the database (call in afterAll). */
  drop: () => Promise<void>;
}

/** A fresh, migrated database of this test file's own, copied from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { inject } = await import('vitest');
  const { serverUrl, template } = inject('testDatabase');
  const name = `${template.replace('_tpl_', '_t_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const handle = connectDb(url, { max: 10 });
  return {
    ...handle,
    url,
    drop: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A started pg-boss on a test database, with the given queues created. */
export async function startTestBoss<Ctx>(url: string, definitions: JobDefinition<Ctx>[]): Promise<PgBoss> {
  const boss = createBoss(url, createLogger({ level: 'silent' }), { max: 4 });
  await boss.start();
  await createQueues(boss, definitions);
  return boss;
}

// ─── the process context and the write path's dependencies ──────────────────────────────────────────

/** What the activity write path needs: the database, a clock (fixed when `now` is given) and a logger. */
export function activityDeps(
  db: Db,
  options: { now?: Date | (() => Date); logger?: Logger } = {},
): ActivityDeps {
  return {
    db,
    now: at(options.now) ?? (() => new Date()),
    logger: options.logger ?? createLogger({ level: 'silent' }),
  };
}

/**
 * The process's real context (config from `env`, in-process charts) on a test database, with a fixed clock
 * when `now` is given. No pg-boss unless one is passed: commands and the coach queue no jobs.
 */
function processContext(
  db: Db,
  options: { env?: Record<string, string>; now?: Date | (() => Date); boss?: PgBoss; logLevel?: string } = {},
): AppContext {
  const now = at(options.now);
  return buildAppContext({
    config: loadConfig(options.env ?? {}),
    logger: createLogger({ level: options.logLevel ?? testLogLevel() }),
    db,
    boss: options.boss ?? (null as unknown as PgBoss),
    ...(now ? { now } : {}),
  });
}

export interface DatabaseContext {
  database: TestDatabase;
  /** The process context on this database; `env` adds to (and overrides) the settings given at start. */
  context: (env?: Record<string, string>) => AppContext;
  deps: ActivityDeps;
  stop: () => Promise<void>;
}

/** A test database and the process context on it (no pg-boss, no fakes). */
export async function startDatabaseContext(
  options: { env?: Record<string, string>; now?: Date | (() => Date) } = {},
): Promise<DatabaseContext> {
  const database = await createTestDatabase();
  const now = options.now;
  return {
    database,
    context: (env = {}) =>
      processContext(database.db, { env: { ...options.env, ...env }, ...(now ? { now } : {}) }),
    deps: activityDeps(database.db, now ? { now } : {}),
    stop: () => database.drop(),
  };
}

export interface CoachTestContext extends DatabaseContext {
  openai: OpenAiFake;
}

/** A test database and the OpenAI fake; every context's config points the coach at the fake. */
export async function startCoachContext(
  options: { env?: Record<string, string>; now?: Date | (() => Date) } = {},
): Promise<CoachTestContext> {
  const openai = await startOpenAiFake();
  const base = await startDatabaseContext({
    ...options,
    env: { OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.baseUrl, ...options.env },
  });
  return {
    ...base,
    openai,
    stop: async () => {
      await openai.stop();
      await base.stop();
    },
  };
}

// ─── the worker's services ───────────────────────────────────────────────────────────────────────────

export interface ServicesContext {
  database: TestDatabase;
  boss: PgBoss;
  ctx: AppContext;
  deps: ActivityDeps;
  stop: () => Promise<void>;
}

/** The application context on a fresh test database with pg-boss (`jobs`' queues), without Strava or Discord. */
export async function startServices(
  options: { env?: Record<string, string>; jobs?: JobDefinition<AppContext>[] } = {},
): Promise<ServicesContext> {
  const database = await createTestDatabase();
  const boss = await startTestBoss(database.url, options.jobs ?? []);
  const ctx = processContext(database.db, {
    env: { TOKEN_ENCRYPTION_KEY: generateFernetKey(), ...options.env },
    boss,
  });
  return {
    database,
    boss,
    ctx,
    deps: activityDeps(database.db, { now: ctx.now, logger: ctx.logger }),
    stop: async () => {
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
      await database.drop();
    },
  };
}

// ─── the whole application on fakes ──────────────────────────────────────────────────────────────────

export interface AppOnFakes {
  boss: PgBoss;
  ctx: AppContext;
  baseUrl: string;
  /** Starts pg-boss workers for every job kind (the worker process). */
  startWorkers: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The real application (configuration, pg-boss, web routes, every service) on a migrated database, with
 * Strava pointed at the fake; `env` adds settings (Discord, OpenAI, ...). The fake's clock is the app's.
 */
export async function startAppOnFakes(options: {
  database: { db: Db; url: string };
  strava: StravaFake;
  webhookSecret: string;
  verifyToken: string;
  env?: Record<string, string>;
  logLevel?: string;
  /** Where the application's log lines go (tests that read them); stdout by default. */
  logDestination?: DestinationStream;
}): Promise<AppOnFakes> {
  const { database, strava } = options;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    STRAVA_CLIENT_ID: strava.clientId,
    STRAVA_CLIENT_SECRET: strava.clientSecret,
    STRAVA_WEBHOOK_SECRET: options.webhookSecret,
    STRAVA_VERIFY_TOKEN: options.verifyToken,
    STRAVA_API_URL: strava.apiUrl,
    STRAVA_OAUTH_URL: strava.oauthUrl,
    TOKEN_ENCRYPTION_KEY: generateFernetKey(),
    ...options.env,
  });
  const logger = createLogger({
    level: options.logLevel ?? 'silent',
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const boss = createBoss(database.url, createLogger({ level: 'silent' }), { max: 4 });
  await boss.start();
  await createQueues(boss, jobDefinitions);
  const ctx = buildAppContext({
    config,
    logger,
    db: database.db,
    boss,
    now: strava.now,
    retryBaseDelayMs: 5,
  });
  const web = createWebService({
    db: database.db,
    logger,
    port,
    host: '127.0.0.1',
    routers: webRouters(ctx),
  });
  await web.start();
  return {
    boss,
    ctx,
    baseUrl,
    startWorkers: () => startWorkers(boss, jobDefinitions, ctx, logger),
    stop: async () => {
      await web.stop();
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Harness {
  database: TestDatabase;
  strava: StravaFake;
  boss: PgBoss;
  ctx: AppContext;
  deps: ActivityDeps;
  baseUrl: string;
  /** Starts pg-boss workers for every job kind (the worker process). */
  startWorkers: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The real application (web routes, jobs, Strava client) on a test database, talking to the Strava fake.
 * The fake's clock is the application's clock, so tests can fast-forward both.
 */
export async function startHarness(
  options: { env?: Record<string, string>; fakeNow?: Date } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const strava = await startStravaFake(options.fakeNow ? { now: options.fakeNow } : {});
  const app = await startAppOnFakes({
    database,
    strava,
    webhookSecret,
    verifyToken,
    ...(options.env ? { env: options.env } : {}),
    logLevel: testLogLevel(),
  });
  return {
    database,
    strava,
    boss: app.boss,
    ctx: app.ctx,
    deps: activityDeps(database.db, { now: app.ctx.now, logger: app.ctx.logger }),
    baseUrl: app.baseUrl,
    startWorkers: app.startWorkers,
    stop: async () => {
      await app.stop();
      await strava.close();
      await database.drop();
    },
  };
}

/** Resolves when `check` returns a truthy value; polls every `pollMs`; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 15_000,
  what = 'condition',
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

/** Follows the browser's path through the connect link: our redirect, Strava's authorize, the callback. */
export async function connectThroughBrowser(
  connectUrl: string,
): Promise<{ status: number; body: string; callbackUrl: string | null }> {
  const ours = await fetch(connectUrl, { redirect: 'manual' });
  if (ours.status !== 302) return { status: ours.status, body: await ours.text(), callbackUrl: null };
  const atStrava = await fetch(ours.headers.get('location')!, { redirect: 'manual' });
  const callbackUrl = atStrava.headers.get('location');
  if (!callbackUrl) return { status: atStrava.status, body: await atStrava.text(), callbackUrl: null };
  const back = await fetch(callbackUrl);
  return { status: back.status, body: await back.text(), callbackUrl };
}

// ─── builders ────────────────────────────────────────────────────────────────────────────────────────

export interface GivenAthlete {
  /** The athlete on the Strava fake. */
  strava: FakeAthlete;
  /** Our athletes.id. */
  athleteId: string;
  /** The activities on Strava before connecting (`history` oldest last, then `activities`). */
  history: FakeActivity[];
}

/**
 * A Discord user who connected a Strava athlete through the real OAuth flow. `athlete`: the Strava
 * profile; `history` (generated) and `activities` (as given): on Strava beforehand. `initialSync`:
 * 'synced' waits until the first sync is done (workers must run); 'cancelled' cancels it so the test
 * drives its own run; 'running' (default) leaves it as it is. Takes any layer with the Strava fake.
 */
export async function givenConnectedAthlete(
  h: Pick<Harness, 'database' | 'strava' | 'ctx'>,
  options: {
    discordUserId: string;
    athlete?: Partial<FakeAthlete>;
    history?: { count: number; durationS?: number };
    activities?: Parameters<StravaFake['addActivity']>[1][];
    initialSync?: 'synced' | 'cancelled' | 'running';
  },
): Promise<GivenAthlete> {
  const { expect } = await import('vitest');
  const strava = h.strava.addAthlete(options.athlete);
  const history = [
    ...(options.history
      ? h.strava.addHistory(strava.id, options.history.count, { durationS: options.history.durationS })
      : []),
    ...(options.activities ?? []).map((activity) => h.strava.addActivity(strava.id, activity)),
  ];
  h.strava.authorizeAs(strava.id);
  const { url } = await createConnectLink(h.database.db, h.ctx.config.publicUrl, options.discordUserId);
  const result = await connectThroughBrowser(url);
  expect(result.status).toBe(200);
  const { id: athleteId } = await h.database.db
    .selectFrom('athletes')
    .select('id')
    .where('discord_user_id', '=', options.discordUserId)
    .executeTakeFirstOrThrow();
  if (options.initialSync === 'synced') {
    await eventually(
      () =>
        h.database.db
          .selectFrom('sync_runs')
          .select('id')
          .where('athlete_id', '=', athleteId)
          .where('state', '=', 'done')
          .executeTakeFirst(),
      30_000,
      'the initial sync',
    );
  } else if (options.initialSync === 'cancelled') {
    await h.database.db
      .updateTable('sync_runs')
      .set({ state: 'cancelled' })
      .where('athlete_id', '=', athleteId)
      .execute();
  }
  return { strava, athleteId, history };
}

/** The Strava webhook subscription, created as the operator's CLI does (Strava validates the callback first). */
export async function givenWebhookSubscription(
  app: Pick<Harness, 'database' | 'ctx' | 'baseUrl'>,
): Promise<void> {
  await subscriptionService({
    db: app.database.db,
    client: app.ctx.strava!.client,
    callbackUrl: webhookCallbackUrl(app.baseUrl, webhookSecret),
    verifyToken,
  }).create();
}

/**
 * A Strava activity with its streams, recorded as the sync records one (`recordDelivery`: stored, scored,
 * paired with the plan, the PMC recomputed). Returns its activities.id.
 */
export async function givenStravaActivity(
  deps: ActivityDeps,
  athleteId: string,
  activity: {
    stravaId: string;
    name: string;
    sport: string;
    start: Date;
    /** Local wall-clock time, 'YYYY-MM-DDTHH:MM:SS'. */
    startLocal: string;
    movingS: number;
    elapsedS?: number;
    distanceM?: number;
    streams: Record<string, unknown> | null;
  },
): Promise<string> {
  const recorded = await recordDelivery(
    deps,
    { id: athleteId },
    {
      kind: 'strava',
      activity: {
        id: activity.stravaId,
        name: activity.name,
        sportType: activity.sport,
        startDate: activity.start,
        startDateLocal: activity.startLocal,
        timezone: null,
        distanceM: activity.distanceM ?? null,
        movingTimeS: activity.movingS,
        elapsedTimeS: activity.elapsedS ?? activity.movingS,
        elevationGainM: null,
        manual: false,
        private: false,
        raw: {},
      },
      streams: activity.streams,
    },
  );
  return recorded.activityId;
}

/** An athlete with a Discord id built from `n`, in `timezone`. */
export async function createAthlete(db: Db, n: number, timezone = 'UTC') {
  const athlete = await ensureAthlete(db, `1000000000000000${String(n).padStart(2, '0')}`);
  await db.updateTable('athletes').set({ timezone }).where('id', '=', athlete.id).execute();
  return { ...athlete, timezone };
}

/**
 * An activity with its metrics as the pipeline leaves them, at an exact `stress` (no streams could give
 * it): written straight into the two tables the planning readers read.
 */
export async function createActivity(
  db: Db,
  athleteId: string,
  activity: { date: string; sport: string; stress: number; movingS: number; name?: string },
): Promise<string> {
  const row = await db
    .insertInto('activities')
    .values({
      athlete_id: athleteId,
      source: 'file_upload',
      name: activity.name ?? `${activity.sport} on ${activity.date}`,
      sport_type: activity.sport,
      start_date: new Date(`${activity.date}T08:00:00Z`),
      start_date_local: `${activity.date}T09:00:00`,
      local_date: activity.date,
      moving_time_s: activity.movingS,
      elapsed_time_s: activity.movingS,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('activity_metrics')
    .values({
      activity_id: row.id,
      athlete_id: athleteId,
      stress: activity.stress,
      stress_method: 'estimated',
      duration_s: activity.movingS,
      moving_s: activity.movingS,
      metrics: toJson({}),
      thresholds_used: toJson({}),
    })
    .execute();
  return row.id;
}

/** The bot's real context (config from an empty environment, in-process charts) at a fixed clock. */
export function commandContext(db: Db, now: Date): AppContext {
  return processContext(db, { now });
}

export function invokerFor(userId: string): Invoker {
  return { userId, username: 'athlete', inGuild: false, interactionId: '1' };
}

export const noProgress = async (): Promise<void> => {};

/** A slash command's logic as the interaction handler calls it: options parsed (issues thrown as one message). */
export function runCommand<Ctx, Options extends z.ZodType>(
  command: SlashCommand<Ctx, Options>,
  ctx: Ctx,
  userId: string,
  options: Record<string, unknown>,
): Promise<Reply> {
  const parsed = command.options.safeParse(options);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return command.execute({ invoker: invokerFor(userId), options: parsed.data, progress: noProgress }, ctx);
}
