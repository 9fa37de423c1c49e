import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Queries live in db/ (issue 11): commands, jobs, routes and the coach call functions of db/queries/*, so
 * every statement the product runs can be found in one folder. Tools (test, bench, scripts, docs) and
 * tests may query as they like.
 */
const tools = new Set(['db', 'test', 'bench', 'scripts', 'docs']);

/**
 * Folders whose queries are still being moved into db/. This list only shrinks: a folder that no longer
 * has a query fails the test until it is removed from here.
 */
const stillMoving = ['activities', 'ingest', 'imports'];

/** A query builder call, or kysely's `sql` tagged template (sql`...`, sql<T>`...`). */
const queryPattern = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(<[^`]*>)?`/;

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

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

/** `file:line` of every query outside db/ in production code, by file path relative to the root. */
function queriesOutsideDb(sources: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of sources) {
    if (tools.has(folderOf(file)) || file.endsWith('.test.ts')) continue;
    source.split('\n').forEach((line, index) => {
      if (queryPattern.test(line)) found.push(`${file}:${index + 1}`);
    });
  }
  return found.sort();
}

const sources = new Map(
  sourceFiles(root).map((path) => [relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8')]),
);
const found = queriesOutsideDb(sources);

describe('queries live in db/', () => {
  it('no production file outside db/ runs a query (except folders still being moved)', () => {
    expect(found.filter((place) => !stillMoving.includes(folderOf(place)))).toEqual([]);
  });

  it('every folder still being moved still has a query (otherwise remove it from the list)', () => {
    const emptied = stillMoving.filter((folder) => !found.some((place) => folderOf(place) === folder));
    expect(emptied).toEqual([]);
  });

  it('finds each kind of query in made-up files', () => {
    const madeUp = new Map([
      ['bot/a.ts', "const r = await db.selectFrom('athletes').selectAll();"],
      ['bot/b.ts', "await trx\n  .insertInto('x')"],
      ['coach/c.ts', "await db.updateTable('x').set({})"],
      ['cli/d.ts', "await db.deleteFrom('x')"],
      ['app/e.ts', 'await sql`SELECT 1`.execute(db);'],
      ['console/f.ts', 'const rows = await sql<{ n: number }>`SELECT 1 AS n`.execute(db);'],
      ['db/queries/g.ts', "await db.selectFrom('athletes')"],
      ['bot/g.test.ts', "await db.selectFrom('athletes')"],
      ['test/h.ts', "await db.selectFrom('athletes')"],
      ['bot/i.ts', "// selectFrom is named here, not called; so is the word sql\nconst s = 'sql';"],
    ]);
    expect(queriesOutsideDb(madeUp)).toEqual([
      'app/e.ts:1',
      'bot/a.ts:1',
      'bot/b.ts:2',
      'cli/d.ts:1',
      'coach/c.ts:1',
      'console/f.ts:1',
    ]);
  });
});
