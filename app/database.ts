import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDb, type DbHandle } from '../db/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';

const defaultDataDir = fileURLToPath(new URL('../.data/postgres', import.meta.url));

export interface AppDatabase extends DbHandle {
  url: string;
  embedded: EmbeddedPostgres | null;
}

/**
 * DATABASE_URL's server, or the embedded default in .data/postgres; migrated before anything uses it.
 * `close` ends the pool and stops an embedded server this process started.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl'>,
  logger: Logger,
  options: { migrate?: boolean; dataDir?: string } = {},
): Promise<AppDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  let url = config.databaseUrl;
  if (!url) {
    const dataDir = options.dataDir ?? defaultDataDir;
    embedded = await startEmbeddedPostgres({
      dataDir,
      log: (line) => logger.info({ dataDir: path.relative(process.cwd(), dataDir) || dataDir }, line),
    });
    url = embedded.url;
  }
  const handle = connectDb(url);
  try {
    if (options.migrate ?? true) {
      const { applied } = await migrateToLatest(handle.db);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
  } catch (error) {
    await handle.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...handle,
    url,
    embedded,
    close: async () => {
      await handle.close();
      await embedded?.stop();
    },
  };
}
