#!/usr/bin/env node
// `npm run cli` and `npm run migrate`: the compiled CLI (dist/, from `npm run build`) when it is at
// least as new as every TypeScript source, else the sources through tsx. Compiled, a command starts in
// a fraction of the time and memory; the freshness check (one stat per source file, a few ms) keeps an
// edited checkout from running stale code.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const root = fileURLToPath(new URL('..', import.meta.url));

// Node's compile cache (V8 code cache on disk): later runs skip parsing and compiling the modules,
// @garmin/fitsdk's 1 MB profile among them. In node_modules/.cache (not the OS temp folder, whose odd
// settings can stall Node's mkdir) unless NODE_COMPILE_CACHE names another; Node carries on without a
// cache where the folder cannot be written, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.(
  process.env.NODE_COMPILE_CACHE || `${root}node_modules/.cache/node-compile-cache`,
);
// `analyze` is one short pass over one file: V8's optimising compiler (TurboFan) costs it more than it
// earns before the process exits (~30 ms of ~300, issue 16). Set before any of our code is loaded.
if (process.argv[2] === 'analyze') v8.setFlagsFromString('--no-opt');
const compiled = `${root}dist/main.js`;
const skipped = new Set(['node_modules', 'dist', 'test', 'bench', '.git', '.data', '.tools', 'docs']);

/** The newest modification time of the .ts files under `dir`, in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) newest = Math.max(newest, newestSource(`${dir}${entry.name}/`));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(`${dir}${entry.name}`).mtimeMs);
    }
  }
  return newest;
}

function compiledIsFresh() {
  try {
    return statSync(compiled).mtimeMs >= newestSource(root);
  } catch {
    return false;
  }
}

if (process.env.THRESHOLD_CLI_SOURCE !== '1' && compiledIsFresh()) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(`${root}cli/main.ts`);
}
