import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedActivityFile } from '../../activities/activity-file.ts';
import { jobDefinitions } from '../../app/jobs.ts';
import { ensureAthlete } from '../../db/queries/athletes.ts';
import { createRecomputeRun } from '../../db/queries/recompute-runs.ts';
import { prepareLocalImport, runExportImport } from '../../imports/export-import.ts';
import { recomputeJob } from '../../ingest/jobs/recompute.job.ts';
import { generateFernetKey } from '../../lib/fernet.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { fitToStreams } from '../../metrics/fit.ts';
import { startServices } from '../context.ts';
import { reshape, writeSyntheticExport } from '../imports/synthetic-export.ts';
import { repoRoot, spawnTs, waitFor } from './child-process.ts';

const total = 120;
const base = fitToStreams(
  readFileSync(`${repoRoot}test/fixtures/fit/fitparse-activity-small-fenix2-run.fit`),
) as unknown as ParsedActivityFile;

/**
 * kill -9 of the real worker process (`cli start --only worker`) in the middle of an export import and of a
 * full-history recompute: the next worker continues the work within 60 s and leaves exactly the state an
 * uninterrupted run leaves (compared with a second athlete whose same work ran without interruption).
 */
describe('kill -9 of the worker in the middle of an import or a recompute', () => {
  let env: Awaited<ReturnType<typeof startServices>>;
  let dir: string;
  let zip: string;
  const workers: ReturnType<typeof spawnTs>[] = [];
  const encryptionKey = generateFernetKey();
  beforeAll(async () => {
    env = await startServices({
      env: { TOKEN_ENCRYPTION_KEY: encryptionKey },
      jobs: jobDefinitions,
    });
    dir = await mkdtemp(join(tmpdir(), 'kill-import-'));
    zip = join(dir, 'export.zip');
    await writeSyntheticExport(
      zip,
      Array.from({ length: total }, (_, i) => ({
        id: String(5_000_000 + i),
        name: `Run ${i}`,
        type: 'Run',
        file: {
          kind: 'gpx' as const,
          activity: reshape(base, new Date(Date.UTC(2024, 0, 1 + i, 7 + (i % 10))), 5),
        },
      })),
    );
  });
  /** Stops the workers still running, so the next case starts with none. */
  const stopWorkers = async () => {
    for (const worker of workers) {
      if (worker.exitCode === null && worker.signalCode === null) {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    }
  };
  afterAll(async () => {
    await stopWorkers();
    await env?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const startWorker = () => {
    const worker = spawnTs('cli/main.ts', ['start', '--only', 'worker'], {
      DATABASE_URL: env.database.url,
      LOG_LEVEL: 'warn',
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      DISCORD_TOKEN: '',
      OPENAI_API_KEY: '',
    });
    workers.push(worker);
    return worker;
  };
  const kill = async (worker: ReturnType<typeof spawnTs>) => {
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
  };

  /** An athlete's activities, metrics and PMC without ids or timestamps, for comparing two athletes. */
  const stateOf = async (athleteId: string) => {
    const strip = (row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).filter(
          // A Strava id belongs to one athlete only: the reference athlete's copies have none.
          ([k]) => !['id', 'athlete_id', 'activity_id', 'strava_id'].includes(k) && !k.endsWith('_at'),
        ),
      );
    const activities = await env.database.db
      .selectFrom('activities')
      .selectAll()
      .where('athlete_id', '=', athleteId)
      .orderBy('start_date')
      .execute();
    const metrics = await env.database.db
      .selectFrom('activity_metrics')
      .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
      .selectAll('activity_metrics')
      .where('activities.athlete_id', '=', athleteId)
      .orderBy('activities.start_date')
      .execute();
    const load = await env.database.db
      .selectFrom('daily_load')
      .select(['date', 'stress', 'ctl', 'atl', 'tsb'])
      .where('athlete_id', '=', athleteId)
      .orderBy('date')
      .execute();
    return { activities: activities.map(strip), metrics: metrics.map(strip), load };
  };

  let interrupted: string;
  let reference: string;

  it('an export import resumes within 60 s of the restart and ends exactly as an uninterrupted one', async () => {
    interrupted = (await ensureAthlete(env.database.db, '760000000000000001')).id;
    reference = (await ensureAthlete(env.database.db, '760000000000000002')).id;
    const { importId } = await prepareLocalImport(env.ctx, interrupted, zip, null);
    await env.boss.send(jobNames.importExport, { importId }, { singletonKey: importId });
    const row = () =>
      env.database.db
        .selectFrom('export_imports')
        .selectAll()
        .where('id', '=', importId)
        .executeTakeFirstOrThrow();
    const entries = async () =>
      Number(
        (
          await env.database.db
            .selectFrom('export_import_entries')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('import_id', '=', importId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    const first = startWorker();
    await waitFor('the import to be under way', async () => (await entries()) >= 10, 90_000);
    await kill(first);
    const atKill = await entries();
    expect(atKill).toBeLessThan(total);
    expect((await row()).state).toBe('running');

    const restartedAt = Date.now();
    startWorker();
    await waitFor('the import to continue', async () => (await entries()) > atKill, 60_000);
    expect((Date.now() - restartedAt) / 1000).toBeLessThan(60);
    const done = await waitFor(
      'the import to finish',
      async () => {
        const r = await row();
        return r.state === 'done' ? r : null;
      },
      120_000,
    );
    expect(done).toMatchObject({ total, imported: total, duplicates: 0, failed: 0, skipped: 0 });
    await stopWorkers();
    const stravaIds = await env.database.db
      .selectFrom('activities')
      .select('strava_id')
      .where('athlete_id', '=', interrupted)
      .execute();
    expect(new Set(stravaIds.map((a) => a.strava_id)).size).toBe(total);

    // The same ZIP imported without interruption, in this process, for the reference athlete.
    const clean = await prepareLocalImport(env.ctx, reference, zip, null);
    expect(await runExportImport(env.ctx, clean.importId)).toMatchObject({
      state: 'done',
      total,
      imported: total,
      duplicates: 0,
      failed: 0,
    });
    const left = await stateOf(interrupted);
    expect(left.activities).toHaveLength(total);
    expect(left.metrics).toHaveLength(total);
    expect(left.load.length).toBeGreaterThan(0);
    expect(left).toEqual(await stateOf(reference));
  }, 300_000);

  it('a full-history recompute resumes within 60 s of the restart and ends exactly as an uninterrupted one', async () => {
    // A lost PMC: only a completed recompute restores it. (Metrics are kept: re-analysis reads the
    // athlete's maximum heart rate from the metrics already stored, so deleting them changes the result.)
    await env.database.db.deleteFrom('daily_load').where('athlete_id', '=', interrupted).execute();
    const runId = await createRecomputeRun(env.database.db, interrupted, 'all');
    await env.boss.send(jobNames.recompute, { athleteId: interrupted, from: 'all', reanalyze: true, runId });
    const run = () =>
      env.database.db
        .selectFrom('recompute_runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();

    const first = startWorker();
    await waitFor('the recompute to be under way', async () => (await run()).done >= 25, 90_000);
    await kill(first);
    const atKill = await run();
    expect(atKill.state).toBe('running');
    expect(atKill.done).toBeLessThan(total);

    const restartedAt = new Date();
    startWorker();
    await waitFor(
      'the recompute to continue',
      async () => {
        const r = await run();
        return r.updated_at > restartedAt && (r.done > 0 || r.state === 'done');
      },
      60_000,
    );
    expect((Date.now() - restartedAt.getTime()) / 1000).toBeLessThan(60);
    const done = await waitFor(
      'the recompute to finish',
      async () => {
        const r = await run();
        return r.state === 'done' ? r : null;
      },
      120_000,
    );
    expect(done).toMatchObject({ total, done: total, error: null });
    await stopWorkers();

    // The reference athlete's history recomputed without interruption, in this process.
    await recomputeJob.handler({ athleteId: reference, from: 'all', reanalyze: true }, env.ctx, {} as never);
    const left = await stateOf(interrupted);
    expect(left.metrics).toHaveLength(total);
    expect(left.load.length).toBeGreaterThan(0);
    expect(left).toEqual(await stateOf(reference));
  }, 300_000);
});
