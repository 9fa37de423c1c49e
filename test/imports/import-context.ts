import type { PgBoss } from 'pg-boss';
import { buildAppContext } from '../../app/build-context.ts';
import type { AppContext } from '../../app/context.ts';
import { loadConfig } from '../../lib/config.ts';
import { generateFernetKey } from '../../lib/fernet.ts';
import type { JobDefinition } from '../../lib/jobs/job-definition.ts';
import { createLogger } from '../../lib/logger.ts';
import { startTestBoss } from '../boss.ts';
import { createTestDatabase, type TestDatabase } from '../db.ts';

/** The application context on a fresh test database, without Strava or Discord configured. */
export async function startImportContext(
  options: { env?: Record<string, string>; jobs?: JobDefinition<AppContext>[] } = {},
): Promise<{ database: TestDatabase; boss: PgBoss; ctx: AppContext; stop: () => Promise<void> }> {
  const database = await createTestDatabase();
  const boss = await startTestBoss(database.url, options.jobs ?? []);
  const config = loadConfig({ TOKEN_ENCRYPTION_KEY: generateFernetKey(), ...options.env });
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const ctx = buildAppContext({ config, logger, db: database.db, boss });
  return {
    database,
    boss,
    ctx,
    stop: async () => {
      await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
      await database.drop();
    },
  };
}
