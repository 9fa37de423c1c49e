import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDb } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { generateFernetKey } from '../lib/fernet.ts';
import { compiledEntry, fakeEnv, productionNodeFlags } from '../test/app-process.ts';
import { freePort } from '../test/context.ts';
import { startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { startStravaFake } from '../test/fakes/strava/strava-fake.ts';
import { createScratchDatabase, percentile, round } from './bench-app.ts';

const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const targetMs = 1000;

/**
 * Start-up to readiness as production starts (issue 16: ≤ 1 s after the database is up): from spawning
 * the compiled build (`npm run start:prod`'s command and flags) to the first 200 from /readyz, with the
 * database already up and migrated and the job queues created. Two shapes: the web process alone
 * (`start --only web`, as Compose runs it) and `start` (the supervisor, then web, worker and bot). The
 * shapes alternate run by run so both see the same machine load; each reports the median, and the
 * web process's own CPU time at readiness (what the load does not change much).
 */
export async function run(): Promise<Record<string, unknown>> {
  const loadAtStart = loadavg()[0] ?? 0;
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const scratch = await createScratchDatabase();
  const database = connectDb(scratch.url, { max: 1 });
  await migrateToLatest(database.db);
  const strava = await startStravaFake();
  const discord = await startDiscordFake({ token: 'startup-bot-token', quiet: true });
  const tokenKey = generateFernetKey();
  const shapes = [
    { name: 'web_only', args: ['start', '--only', 'web'] },
    { name: 'start_prod', args: ['start'] },
  ] as const;
  const samples = new Map<string, { wall: number[]; webCpu: number[] }>(
    shapes.map((shape) => [shape.name, { wall: [], webCpu: [] }]),
  );
  // The first start creates the job queues (and fills Node's compile cache), as a first deployment does.
  let first = 0;
  try {
    for (let i = 0; i <= runs; i++) {
      for (const shape of shapes) {
        const port = await freePort();
        const env = fakeEnv({
          databaseUrl: scratch.url,
          port,
          strava,
          discord,
          discordToken: 'startup-bot-token',
          webhookSecret: 'startup-webhook-secret-0123456789',
          verifyToken: 'startup-verify',
          tokenKey,
        });
        const started = performance.now();
        const child = spawn(process.execPath, [...productionNodeFlags, compiledEntry, ...shape.args], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
          stdio: ['ignore', 'ignore', 'ignore'],
        });
        try {
          await untilReady(port, child);
          const wall = performance.now() - started;
          const webPid = shape.name === 'web_only' ? child.pid! : webChildOf(child.pid!);
          if (i === 0) {
            first = Math.max(first, wall);
            continue;
          }
          samples.get(shape.name)!.wall.push(wall);
          if (webPid) samples.get(shape.name)!.webCpu.push(cpuMs(webPid));
        } finally {
          await stop(child);
        }
      }
    }
  } finally {
    await strava.close();
    await discord.close();
    await database.close();
    await scratch.drop();
  }
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      median: round(percentile(sorted, 50), 0),
      min: round(sorted[0] ?? Number.NaN, 0),
      runs: sorted.length,
    };
  };
  const result: Record<string, unknown> = {};
  for (const [name, { wall, webCpu }] of samples) {
    const { median, min, runs: n } = summary(wall);
    result[name] = {
      startup_to_readyz_ms: median,
      min_ms: min,
      runs: n,
      web_process_cpu_ms_at_ready: summary(webCpu).median,
      met: median <= targetMs,
    };
  }
  return {
    host: {
      cpus: availableParallelism(),
      load_1m_at_start: round(loadAtStart, 2),
      load_1m_at_end: round(loadavg()[0] ?? 0, 2),
    },
    database: scratch.server,
    command: `node ${productionNodeFlags.join(' ')} dist/main.js start [--only web]`,
    first_start_ms: round(first, 0),
    ...result,
    targets: { startup_to_readyz_ms_max: targetMs },
  };
}

async function untilReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('no 200 from /readyz within 60 s');
    await sleep(5);
  }
}

/** The supervisor's `--only web` child. */
function webChildOf(supervisor: number): number | null {
  const listed = spawnSync('ps', ['-o', 'pid=', '--ppid', String(supervisor)], { encoding: 'utf8' });
  for (const pid of listed.stdout.split('\n').map((line) => Number(line.trim()))) {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--only\0web')) return pid;
  }
  return null;
}

/** User + system CPU time of a process so far (Linux /proc, 10 ms ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
