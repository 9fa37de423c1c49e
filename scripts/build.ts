// `npm run build`: the CLI (and with it every service) compiled to dist/ for production, so
// `npm run start:prod` and the Docker image run plain JavaScript without a TypeScript loader.
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = new URL('../dist/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: 'cli/main.ts' },
  outdir,
  bundle: true,
  // Dynamic imports (each CLI command, each service of `start`) become chunks loaded on demand, so a
  // process still loads only what it runs.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // npm packages stay in node_modules (installed with `npm ci --omit=dev`); only our code is bundled.
  packages: 'external',
  // Chunks sit beside main.js: modules that find files relative to themselves
  // (`new URL('..', import.meta.url)` for .env.example and .data/) see the same parent folder as in the
  // sources, since every source folder is one level below the repository root too.
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// Files the console reads beside its module at run time (`new URL('./static/…', import.meta.url)`): in
// the bundle that module is a chunk in dist/, so they go to the same relative place there.
await cp(new URL('../console/static/', import.meta.url), new URL('static/', `file://${outdir}`), {
  recursive: true,
});
await cp(new URL('../console/demo/fit/', import.meta.url), new URL('fit/', `file://${outdir}`), {
  recursive: true,
});
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
process.stdout.write(`built ${files.length} files in dist/\n`);
