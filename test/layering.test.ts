import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The architecture, enforced over the import graph (README, "Architecture"). Layers top to bottom; a file
 * may import its own folder, and folders in its own layer or below, never above. Type-only imports count:
 * a type names what a module depends on as much as a value does.
 */
const layers: string[][] = [
  ['app', 'cli'], // process wiring
  ['bot', 'ingest', 'imports', 'exports', 'console'], // edges: Discord, Strava, files, the web console
  ['coach', 'planning'],
  ['activities'],
  ['db'],
  ['metrics', 'charts', 'contracts', 'lib'], // pure computation and shared contracts
];
/** Folders that are tools, not the running product: they may import anything (so may coach/eval/). */
const tools = new Set(['test', 'bench', 'scripts', 'docs']);
/** Edges talk to the outside world each in its own way; these pairs must not know about each other. */
const isolatedEdges: [string, string][] = [
  ['ingest', 'imports'],
  ['imports', 'ingest'],
];
/**
 * Modules private to their folder: the PMC recompute is reached only through activities/' public write path
 * (`recordDelivery`, `removeDelivery`, `removeStravaData`, `settleLoad`), which decides when it runs.
 */
const privateModules = ['activities/pmc-store.ts'];
/** Modules that do I/O: metrics/ and charts/ must not reach them, directly or through another file. */
const ioModules = [
  /^pg$/,
  /^pg-boss$/,
  /^kysely/,
  /^discord\.js$/,
  /^openai/,
  /^express$/,
  /^pino/,
  /^node:(fs|net|http|https|child_process|dgram|dns|worker_threads)/,
  /^(fs|net|http|https|child_process)$/,
];

/**
 * Known violations, each `importer -> imported`. This list only shrinks: a new violation fails the test,
 * and so does an entry here that no longer occurs (remove it).
 */
const allowed = new Set<string>([]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file names: static imports and re-exports, and dynamic `import()`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g,
    /import\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const bare = /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const pattern of [...patterns, bare]) {
    for (const match of source.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

const files = sourceFiles(root).map((path) => relative(root, path).split('\\').join('/'));
type ImportGraph = Map<string, { local: string[]; external: string[]; source: string }>;
const graph: ImportGraph = new Map();
for (const file of files) {
  const source = readFileSync(join(root, file), 'utf8');
  const local: string[] = [];
  const external: string[] = [];
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.'))
      local.push(
        relative(root, resolve(root, dirname(file), spec))
          .split('\\')
          .join('/'),
      );
    else external.push(spec);
  }
  graph.set(file, { local, external, source });
}

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');
const layerOf = (folder: string) => layers.findIndex((layer) => layer.includes(folder));
const isTestCode = (file: string) =>
  folderOf(file) === 'test' ||
  file.endsWith('.test.ts') ||
  /(^|\/)testing\//.test(file) ||
  /test-helpers?\.ts$/.test(file);
const isTool = (file: string) => tools.has(folderOf(file)) || file.startsWith('coach/eval/');
const isProduction = (file: string) => !isTestCode(file) && !isTool(file);

/**
 * Queries live in db/ (issue 11): commands, jobs, routes and the coach call functions of db/queries/*, so
 * every statement the product runs is found in one folder. Tools and tests may query as they like (here
 * coach/eval/ counts as product: its fixtures call db/queries too).
 */
const queryTools = new Set(['db', ...tools]);
/** A query builder call, or kysely's `sql` tagged template (sql`...`, sql<T>`...`). */
const queryPattern = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(<[^`]*>)?`/;

/** `file:line` of every query in production code outside db/. */
function queriesOutsideDb(sources: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of sources) {
    if (queryTools.has(folderOf(file)) || file.endsWith('.test.ts')) continue;
    source.split('\n').forEach((line, index) => {
      if (queryPattern.test(line)) found.push(`${file}:${index + 1}`);
    });
  }
  return found.sort();
}

function violations(graph: ImportGraph): string[] {
  const found = new Set<string>();
  // Test helpers live under test/; beside production code they ship with it (the Dockerfile copies folders).
  for (const file of graph.keys()) {
    if (isTestCode(file) && folderOf(file) !== 'test' && !file.endsWith('.test.ts')) {
      found.add(`${file} (test helper outside test/)`);
    }
  }
  for (const [file, { local }] of graph) {
    if (!isProduction(file)) continue;
    const from = folderOf(file);
    for (const target of local) {
      const to = folderOf(target);
      if (isTestCode(target)) found.add(`${file} -> ${target}`);
      else if (privateModules.includes(target) && to !== from) found.add(`${file} -> ${target} (private)`);
      else if (to !== from && layerOf(from) >= 0 && layerOf(to) >= 0 && layerOf(to) < layerOf(from)) {
        found.add(`${file} -> ${target}`);
      } else if (isolatedEdges.some(([a, b]) => a === from && b === to)) found.add(`${file} -> ${target}`);
    }
  }
  // metrics/ and charts/ stay pure: nothing they reach, transitively, does I/O or reads the environment.
  for (const file of graph.keys()) {
    if (!isProduction(file) || !['metrics', 'charts'].includes(folderOf(file))) continue;
    const seen = new Set<string>();
    const queue = [file];
    while (queue.length > 0) {
      const current = queue.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const node = graph.get(current);
      if (!node) continue;
      const io = node.external.find((spec) => ioModules.some((pattern) => pattern.test(spec)));
      if (io) found.add(`${file} -> ${current === file ? io : `${current} (${io})`}`);
      else if (/process\.env/.test(node.source)) found.add(`${file} -> ${current} (process.env)`);
      queue.push(...node.local.filter((target) => !isTestCode(target)));
    }
  }
  return [...found].sort();
}

describe('layering', () => {
  const found = violations(graph);

  it('every folder with production code has a layer', () => {
    const unplaced = [...new Set(files.filter(isProduction).map(folderOf))].filter(
      (folder) => folder !== '' && layerOf(folder) < 0,
    );
    expect(unplaced).toEqual([]);
  });

  it('no production file imports a higher layer, test code, or (from metrics/charts) I/O', () => {
    expect(found.filter((violation) => !allowed.has(violation))).toEqual([]);
  });

  it('the allow-list has no entry that no longer occurs', () => {
    expect([...allowed].filter((violation) => !found.includes(violation))).toEqual([]);
  });

  it('finds each kind of violation in a made-up graph', () => {
    const node = (local: string[], external: string[] = [], source = '') => ({ local, external, source });
    const madeUp: ImportGraph = new Map([
      ['db/queries/a.ts', node(['bot/reply.ts', 'lib/format.ts'])],
      ['bot/reply.ts', node(['test/db.ts'])],
      ['imports/x.ts', node(['ingest/y.ts', 'activities/pmc-store.ts'])],
      ['metrics/m.ts', node(['lib/config.ts'])],
      ['lib/config.ts', node([], [], 'process.env.X')],
      ['charts/c.ts', node([], ['node:fs'])],
      ['planning/test-helpers.ts', node([])],
      ['test/t.ts', node(['app/jobs.ts'])],
    ]);
    expect(violations(madeUp)).toEqual([
      'bot/reply.ts -> test/db.ts',
      'charts/c.ts -> node:fs',
      'db/queries/a.ts -> bot/reply.ts',
      'imports/x.ts -> activities/pmc-store.ts (private)',
      'imports/x.ts -> ingest/y.ts',
      'metrics/m.ts -> lib/config.ts (process.env)',
      'planning/test-helpers.ts (test helper outside test/)',
    ]);
  });

  it('sees the imports it checks', () => {
    // Guards the parser: if it stopped finding imports, every check above would pass vacuously.
    expect(graph.get('app/jobs.ts')?.local.length).toBeGreaterThan(5);
  });
});

describe('queries live in db/', () => {
  const found = queriesOutsideDb(new Map([...graph].map(([file, { source }]) => [file, source])));

  it('no production file outside db/ runs a query', () => {
    expect(found).toEqual([]);
  });

  it('finds each kind of query in made-up files', () => {
    const madeUp = new Map([
      ['bot/a.ts', "const r = await db.selectFrom('athletes').selectAll();"],
      ['bot/b.ts', "await trx\n  .insertInto('x')"],
      ['coach/c.ts', "await db.updateTable('x').set({})"],
      ['cli/d.ts', "await db.deleteFrom('x')"],
      ['app/e.ts', 'await sql`SELECT 1`.execute(db);'],
      ['console/f.ts', 'const rows = await sql<{ n: number }>`SELECT 1 AS n`.execute(db);'],
      ['coach/eval/g.ts', "await db.selectFrom('athletes')"],
      ['db/queries/h.ts', "await db.selectFrom('athletes')"],
      ['bot/i.test.ts', "await db.selectFrom('athletes')"],
      ['test/j.ts', "await db.selectFrom('athletes')"],
      ['bot/k.ts', "// selectFrom is named here, not called; so is the word sql\nconst s = 'sql';"],
    ]);
    expect(queriesOutsideDb(madeUp)).toEqual([
      'app/e.ts:1',
      'bot/a.ts:1',
      'bot/b.ts:2',
      'cli/d.ts:1',
      'coach/c.ts:1',
      'coach/eval/g.ts:1',
      'console/f.ts:1',
    ]);
  });
});
