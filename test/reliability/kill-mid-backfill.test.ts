import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleLoad } from '../../activities/record-delivery.ts';
import { startSync } from '../../ingest/sync/start-sync.ts';
import { generateFernetKey } from '../../lib/fernet.ts';
import {
  type AppOnFakes,
  createTestDatabase,
  givenConnectedAthlete,
  startAppOnFakes,
  type TestDatabase,
  verifyToken,
  webhookSecret,
} from '../context.ts';
import { type StravaFake, startStravaFake } from '../fakes/strava/strava-fake.ts';
import { spawnTs, waitFor } from './child-process.ts';

const total = 150;

describe('kill -9 of the worker in the middle of a backfill', () => {
  let database: TestDatabase;
  let strava: StravaFake;
  let app: AppOnFakes;
  const workers: ReturnType<typeof spawnTs>[] = [];
  const encryptionKey = generateFernetKey();
  beforeAll(async () => {
    database = await createTestDatabase();
    strava = await startStravaFake();
    strava.setLimits({ overall15: 1e9, overallDay: 1e9, read15: 1e9, readDay: 1e9 });
    app = await startAppOnFakes({
      database,
      strava,
      webhookSecret,
      verifyToken,
      env: { TOKEN_ENCRYPTION_KEY: encryptionKey },
    });
  });
  afterAll(async () => {
    for (const worker of workers) {
      if (worker.exitCode === null && worker.signalCode === null) {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    }
    await app.stop().catch(() => {});
    await strava.close();
    await database.drop();
  });

  /** The real worker process (`cli start --only worker`) against this database and the Strava fake. */
  const startWorker = () => {
    const worker = spawnTs('cli/main.ts', ['start', '--only', 'worker'], {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      STRAVA_CLIENT_ID: strava.clientId,
      STRAVA_CLIENT_SECRET: strava.clientSecret,
      STRAVA_WEBHOOK_SECRET: webhookSecret,
      STRAVA_VERIFY_TOKEN: verifyToken,
      STRAVA_API_URL: strava.apiUrl,
      STRAVA_OAUTH_URL: strava.oauthUrl,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      DISCORD_TOKEN: '',
      OPENAI_API_KEY: '',
    });
    workers.push(worker);
    return worker;
  };
  const run = (runId: string) =>
    database.db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

  it('resumes within 60 s of the restart and ends in exactly the state of an uninterrupted run', async () => {
    // The automatic 30-activity sync gives way to one of the whole history.
    const { athleteId } = await givenConnectedAthlete(
      { database, strava, ctx: app.ctx },
      {
        discordUserId: '670000000000000001',
        history: { count: total, durationS: 900 },
        initialSync: 'cancelled',
      },
    );
    const { runId } = await startSync(database.db, app.boss, {
      athleteId,
      kind: 'backfill',
      count: total,
      updateExisting: false,
    });
    // From here on only the child processes work.
    await app.stop();

    const first = startWorker();
    await waitFor('the backfill to be under way', async () => (await run(runId)).synced >= 30, 90_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await run(runId);
    expect(atKill.state).not.toBe('done');
    expect(atKill.synced).toBeLessThan(total);

    const restartedAt = Date.now();
    startWorker();
    await waitFor(
      'the backfill to continue',
      async () => (await run(runId)).synced > atKill.synced + 5,
      60_000,
    );
    const resumedAfterS = (Date.now() - restartedAt) / 1000;
    expect(resumedAfterS).toBeLessThan(60);
    const done = await waitFor(
      'the backfill to finish',
      async () => {
        const row = await run(runId);
        return row.state === 'done' ? row : null;
      },
      120_000,
    );
    expect(done).toMatchObject({ listed: total, synced: total, skipped: 0, failed: 0 });

    const activities = await database.db
      .selectFrom('activities')
      .select('strava_id')
      .where('athlete_id', '=', athleteId)
      .execute();
    expect(activities).toHaveLength(total);
    expect(new Set(activities.map((a) => a.strava_id)).size).toBe(total);
    const metrics = await database.db
      .selectFrom('activity_metrics')
      .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
      .select('activity_metrics.activity_id')
      .where('activities.athlete_id', '=', athleteId)
      .execute();
    expect(metrics).toHaveLength(total);

    // The PMC the interrupted run left equals one recomputed from scratch.
    const load = () =>
      database.db
        .selectFrom('daily_load')
        .select(['date', 'stress', 'ctl', 'atl', 'tsb'])
        .where('athlete_id', '=', athleteId)
        .orderBy('date')
        .execute();
    const left = await load();
    await settleLoad(database.db, athleteId, null, app.ctx.now());
    expect(await load()).toEqual(left);
    expect(left.length).toBeGreaterThan(0);
  }, 300_000);
});
