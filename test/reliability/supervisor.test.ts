import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, freePort, type TestDatabase } from '../context.ts';
import { spawnTs, waitFor } from './child-process.ts';

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
};
const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};
const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** The supervisor and its services, by name. */
function processTree(supervisor: number) {
  const services = new Map<string, number>();
  for (const pid of childrenOf(supervisor)) {
    const match = / --only (\w+)/.exec(commandLine(pid));
    if (match) services.set(match[1]!, pid);
  }
  return { supervisor, services };
}

describe('npm start supervises its services', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  const env = (port: number) => ({
    DATABASE_URL: database.url,
    PORT: String(port),
    LOG_LEVEL: 'info',
    DISCORD_TOKEN: '',
    STRAVA_CLIENT_ID: '',
    OPENAI_API_KEY: '',
  });

  it('restarts a service killed with kill -9 and stops everything on SIGTERM', async () => {
    const port = await freePort();
    const start = spawnTs('cli/main.ts', ['start'], env(port));
    try {
      const healthy = async () =>
        (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200;
      await waitFor('the web service', healthy, 90_000);
      const before = await waitFor('web and worker processes', () => {
        const tree = processTree(start.pid!);
        return tree?.services.size === 2 ? tree : null;
      });
      const web = before.services.get('web')!;
      const worker = before.services.get('worker')!;
      process.kill(web, 'SIGKILL');
      const after = await waitFor(
        'a new web process',
        () => {
          const tree = processTree(start.pid!);
          const next = tree?.services.get('web');
          return next && next !== web ? tree : null;
        },
        60_000,
      );
      await waitFor('the web service again', healthy, 60_000);
      // The other service was left alone.
      expect(after.services.get('worker')).toBe(worker);
      expect(start.output()).toContain('service died; restarting');

      start.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => start.once('exit', (c) => resolve(c)));
      expect(code).toBe(0);
      await waitFor('every process to be gone', () =>
        [after.supervisor, ...after.services.values()].every((pid) => !alive(pid)),
      );
    } finally {
      if (start.exitCode === null) start.kill('SIGKILL');
    }
  }, 240_000);

  it('gives up on a service that keeps dying and stops the others', async () => {
    // The web service cannot bind a port that is taken: it dies at each start.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = (taken.address() as { port: number }).port;
    const start = spawnTs('cli/main.ts', ['start'], env(port));
    try {
      const code = await new Promise<number | null>((resolve) => start.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(start.output()).toContain('service keeps dying; stopping');
    } finally {
      if (start.exitCode === null) start.kill('SIGKILL');
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 240_000);
});
