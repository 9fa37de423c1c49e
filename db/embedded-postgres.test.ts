import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL on one data folder', () => {
  let folder: string;
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('starts twice on the same folder: reuses a running server, and keeps data across a restart', async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'threshold-embedded-'));
    const dataDir = path.join(folder, 'data');
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      await query(first.url, 'CREATE TABLE kept (value text)');
      await query(first.url, "INSERT INTO kept VALUES ('still here')");
      // A second start while the first runs (a crashed process left it up) joins it instead of failing.
      const second = await startEmbeddedPostgres({ dataDir });
      expect(second.port).toBe(first.port);
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    } finally {
      await first.stop();
      await first.stop(); // stopping twice is harmless
    }
    // Stopped cleanly: nothing answers on the old port, and a fresh start finds the data.
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();
    const restarted = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(restarted.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    } finally {
      await restarted.stop();
    }
  }, 120_000);
});
