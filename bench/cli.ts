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
 * `cli analyze` on the largest FIT fixture, start to exit, against `node -e 0` (Node's own start-up;
 * target: `npm run --silent cli -- analyze <file>` in ≤ 500 ms wall, issue 16):
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
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  const cpus: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  // Round-robin: every case once per round, so a shared machine's changing load falls on all of them
  // alike, and `node -e 0` is measured in the same minutes as the commands it is the floor of.
  for (let i = 0; i <= runs; i++) {
    for (const [name, [command, args, env]] of Object.entries(cases)) {
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
      // The first round warms the disk cache (and tsx's transform cache, Node's compile cache).
      if (i > 0) {
        times[name]!.push(ms);
        cpus[name]!.push(childrenCpuMs() - cpuBefore);
      }
    }
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const nodeMedian = median(times.node_e_0!);
  const results: Record<
    string,
    { median_ms: number; over_node_ms: number; min_ms: number; p90_ms: number; cpu_median_ms: number }
  > = {};
  for (const name of Object.keys(cases)) {
    const sorted = [...times[name]!].sort((a, b) => a - b);
    results[name] = {
      median_ms: round(percentile(sorted, 50), 0),
      over_node_ms: round(percentile(sorted, 50) - nodeMedian, 0),
      min_ms: round(sorted[0]!, 0),
      p90_ms: round(percentile(sorted, 90), 0),
      cpu_median_ms: round(median(cpus[name]!), 0),
    };
  }
  const asTyped = results.npm_run_cli!;
  return {
    host: {
      cpus: availableParallelism(),
      load_1m_at_start: round(loadAtStart, 2),
      load_1m_at_end: round(loadavg()[0] ?? 0, 2),
    },
    file: { name: fit.name, bytes: fit.size },
    runs,
    // Issue 16's figure: the command as operators type it, wall time, median, beside Node's own start-up.
    target: {
      command: `npm run --silent cli -- analyze ${fit.name}`,
      target_ms: 500,
      median_ms: asTyped.median_ms,
      node_e_0_median_ms: round(nodeMedian, 0),
      over_node_ms: asTyped.over_node_ms,
      met: asTyped.median_ms <= 500,
    },
    // Wall time on a shared machine stretches with its load; CPU time (user + system, of the process and
    // whatever it waited for, in 10 ms ticks) says what the command itself costs.
    wall: results,
  };
}

/** User + system CPU of this process's waited-for children so far (Linux /proc, 100 ticks a second). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is the state, so cutime and cstime (fields 16 and 17) sit at 13, 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
