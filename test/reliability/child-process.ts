import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../context.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Node with tsx as a loader, not the tsx wrapper: the child is the process itself, so a signal sent to it
 * (kill -9 above all) reaches the program and not a wrapper that would leave it running.
 */
const node = (script: string, args: string[]) =>
  [process.execPath, ['--import', 'tsx', script, ...args]] as const;

/** Runs a TypeScript entry point of this repository as a child process, output collected. */
export function spawnTs(
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): ChildProcess & { output: () => string } {
  const child = spawn(...node(script, args), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return Object.assign(child, { output: () => output });
}

/** Resolves once `probe` gives a truthy value, polling every 100 ms; rejects after `timeoutMs`. */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  return eventually(probe, timeoutMs, what, 100);
}

/** Runs the CLI to completion: its exit code and what it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(...node('cli/main.ts', args), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}
