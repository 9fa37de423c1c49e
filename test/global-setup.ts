import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectDb } from '../db/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateToLatest } from '../db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (any database) and the migrated template every test file copies. */
    testDatabase: { serverUrl: string; template: string };
  }
}

/**
 * One Postgres for the whole run: TEST_DATABASE_URL's server, or an embedded one in a temp folder.
 * A template database is migrated once; each test file creates its own copy (createTestDatabase, test/context.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedPostgres | null = null;
  let tempDir: string | null = null;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'threshold-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'data') });
    serverUrl = embedded.url;
  }
  const template = `threshold_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = connectDb(serverUrl, { max: 1 });
  await admin.pool.query(`CREATE DATABASE ${template}`);
  const templateDb = connectDb(withDatabase(serverUrl, template), { max: 1 });
  try {
    await migrateToLatest(templateDb.db);
  } finally {
    await templateDb.close();
  }
  project.provide('testDatabase', { serverUrl, template });

  return async () => {
    // Copies left by crashed files go with the template; a shared server keeps nothing of this run.
    try {
      const leftovers = await admin.pool.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1`,
        [`${template.replace('_tpl_', '_t_')}%`],
      );
      for (const { datname } of leftovers.rows) {
        await admin.pool.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
      await admin.pool.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await admin.close();
      if (embedded) await embedded.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
  };
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
