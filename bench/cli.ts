import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile, round } from './bench-app.ts';

const runs = 7;
const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = `${root}test/fixtures/fit/`;

/**
 * `cli analyze` on the largest FIT fixture, start to exit, against `node -e 0` (Node's own start-up):
 * the compiled build directly, `npm run cli` (its launcher picks the fresh build), and the TypeScript
 * sources through tsx (what `npm run cli` falls back to when the build is missing or stale).
 */
export async function run(): Promise<Record<string, unknown>> {
  const loadAtStart = loadavg()[0] ?? 0;
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const fit = readdirSync(fixtures)
    .filter((name) => name.endsWith('.fit'))
    .map((name) => ({ name, size: statSync(`${fixtures}${name}`).size }))
    .sort((a, b) => b.size - a.size)[0]!;
  const file = `${fixtures}${fit.name}`;
  const node = process.execPath;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const cases: Record<string, [string, string[], Record<string, string>?]> = {
    node_e_0: [node, ['-e', '0']],
    compiled: [node, ['dist/main.js', 'analyze', file]],
    npm_run_cli: [npm, ['run', '--silent', 'cli', '--', 'analyze', file]],
    launcher_compiled: [node, ['cli/launch.js', 'analyze', file]],
    tsx: [node, ['--import', 'tsx', 'cli/main.ts', 'analyze', file]],
    launcher_tsx_fallback: [node, ['cli/launch.js', 'analyze', file], { THRESHOLD_CLI_SOURCE: '1' }],
  };
  const results: Record<
    string,
    { median_ms: number; min_ms: number; p90_ms: number; cpu_median_ms: number }
  > = {};
  for (const [name, [command, args, env]] of Object.entries(cases)) {
    const times: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const cpuBefore = childrenCpuMs();
      const started = performance.now();
      const child = spawnSync(command, args, {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      const ms = performance.now() - started;
      if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
      // The largest fixture is a multisport file: `{ "legs": [...] }`.
      if (name !== 'node_e_0' && !/^{"(sport|legs)"/.test(child.stdout)) throw new Error(`${name}: no JSON`);
      // The first run warms the disk cache (and tsx's transform cache).
      if (i > 0) {
        times.push(ms);
        cpus.push(childrenCpuMs() - cpuBefore);
      }
    }
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    results[name] = {
      median_ms: round(percentile(times, 50), 0),
      min_ms: round(times[0]!, 0),
      p90_ms: round(percentile(times, 90), 0),
      cpu_median_ms: round(percentile(cpus, 50), 0),
    };
  }
  return {
    host: { cpus: availableParallelism(), load_1m_at_start: round(loadAtStart, 2) },
    file: { name: fit.name, bytes: fit.size },
    runs,
    // Wall time on a shared machine stretches with its load; CPU time (user + system, of the process and
    // whatever it waited for, in 10 ms ticks) says what the command itself costs.
    wall: results,
    target_ms: 500,
  };
}

/** User + system CPU of this process's waited-for children so far (Linux /proc, 100 ticks a second). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is the state, so cutime and cstime (fields 16 and 17) sit at 13, 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
