import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { productionNodeFlags } from './app-process.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Folders that never ship: tests, benchmarks, docs, tooling. */
const notShipped = new Set([
  'test',
  'bench',
  'docs',
  'node_modules',
  '.tools',
  '.data',
  '.git',
  '.ci',
  'dist',
]);
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
/** The Dockerfile's stages by name (`FROM ... AS name`), each with its instructions. */
const stages = new Map(
  dockerfile
    .split(/^(?=FROM )/m)
    .filter((stage) => stage.startsWith('FROM '))
    .map((stage) => [/^FROM \S+ AS (\S+)/.exec(stage)?.[1] ?? '', stage]),
);

describe('Dockerfile', () => {
  it('compiles every top-level folder of application code in its build stage', () => {
    const build = stages.get('build') ?? '';
    expect(build).toMatch(/^RUN npm run build$/m);
    const copied = new Set([...build.matchAll(/^COPY (\S+) \.\/\1$/gm)].map((m) => m[1]));
    const sourceFolders = readdirSync(root).filter(
      (name) =>
        !notShipped.has(name) &&
        statSync(path.join(root, name)).isDirectory() &&
        readdirSync(path.join(root, name), { recursive: true }).some(
          (file) => String(file).endsWith('.ts') && !String(file).endsWith('.test.ts'),
        ),
    );
    expect(sourceFolders.length).toBeGreaterThan(5);
    expect(sourceFolders.filter((folder) => !copied.has(folder))).toEqual([]);
  });

  it('runs the compiled build, without TypeScript sources or tsx, on production dependencies only', () => {
    const runtime = stages.get('runtime') ?? '';
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(stages.get('deps')).toMatch(/npm ci --omit=dev/);
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    // The same memory settings as the footprint benchmark measures.
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...productionNodeFlags, 'dist/main.js', 'start']);
    expect(runtime).not.toMatch(/tsx|\.ts\b/);
    const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(packageJson.dependencies.tsx).toBeUndefined();
    expect(packageJson.scripts['start:prod']).toBe(
      `node ${productionNodeFlags.join(' ')} dist/main.js start`,
    );
  });

  it('is what docker compose runs for each service', () => {
    const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const commands = [...compose.matchAll(/^\s+command:\s+(\[.*\])$/gm)].map((m) => JSON.parse(m[1]!));
    expect(commands).toEqual(
      ['web', 'worker', 'bot'].map((service) => [
        'node',
        ...productionNodeFlags,
        'dist/main.js',
        'start',
        '--only',
        service,
      ]),
    );
  });
});
