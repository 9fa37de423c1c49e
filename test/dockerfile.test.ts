import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Folders that never ship: tests, benchmarks, docs, tooling. */
const notShipped = new Set(['test', 'bench', 'docs', 'node_modules', '.tools', '.data', '.git', '.ci']);

describe('Dockerfile', () => {
  it('copies every top-level folder of application code into the image', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const copied = new Set([...dockerfile.matchAll(/^COPY (\S+) \.\/\1$/gm)].map((m) => m[1]));
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
});
