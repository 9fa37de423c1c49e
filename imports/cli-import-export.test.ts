import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ParsedActivityFile } from '../activities/activity-file.ts';
import { fitToStreams } from '../metrics/fit.ts';
import { startServices } from '../test/context.ts';
import { reshape, writeSyntheticExport } from '../test/imports/synthetic-export.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const base = fitToStreams(
  readFileSync(`${repo}test/fixtures/fit/fitparse-activity-small-fenix2-run.fit`),
) as unknown as ParsedActivityFile;

let env: Awaited<ReturnType<typeof startServices>>;
let dir: string;
beforeAll(async () => {
  env = await startServices();
  dir = await mkdtemp(join(tmpdir(), 'cli-import-'));
});
afterAll(async () => {
  await env?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('cli import-export imports a ZIP for a Discord user who never used the bot', async () => {
  const zip = join(dir, 'export.zip');
  await writeSyntheticExport(
    zip,
    Array.from({ length: 5 }, (_, i) => ({
      id: String(3_000_000 + i),
      name: `Evening run ${i}`,
      type: 'Run',
      file: { kind: 'gpx' as const, activity: reshape(base, new Date(Date.UTC(2024, 0, 10 + i, 18)), 10) },
    })),
  );
  const userId = '740000000000000001';
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'cli/main.ts', 'import-export', zip, userId, '--no-dm'],
    { cwd: repo, env: { ...process.env, DATABASE_URL: env.database.url, LOG_LEVEL: 'error' } },
  );
  expect(stdout).toMatch(/Done: 5 imported, 0 duplicates/);
  const rows = await env.ctx.db
    .selectFrom('activities')
    .innerJoin('athletes', 'athletes.id', 'activities.athlete_id')
    .select(['activities.name', 'activities.sport_type', 'activities.source'])
    .where('athletes.discord_user_id', '=', userId)
    .orderBy('activities.start_date')
    .execute();
  expect(rows).toHaveLength(5);
  expect(rows[0]).toEqual({ name: 'Evening run 0', sport_type: 'Run', source: 'strava_export' });

  // Not a ZIP: refused with a one-line reason and exit code 1.
  const notZip = join(dir, 'notes.zip');
  await writeFile(notZip, 'hello');
  const failed = await run(
    process.execPath,
    ['--import', 'tsx', 'cli/main.ts', 'import-export', notZip, userId],
    { cwd: repo, env: { ...process.env, DATABASE_URL: env.database.url, LOG_LEVEL: 'error' } },
  ).then(
    () => null,
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toMatch(/not a ZIP archive/);
}, 30_000);
