import { openDatabase } from '../../app/database.ts';
import { loadProcessConfig } from '../../app/run-process.ts';
import { createLogger } from '../../lib/logger.ts';
import { type CliCommand, parseCliArgs } from '../command.ts';

export default {
  name: 'migrate',
  summary: 'Apply pending database migrations (also done automatically at start)',
  usage: `Usage: npm run migrate
       npm run --silent cli -- migrate

Applies every pending migration in db/migrations, in order, to DATABASE_URL (or the embedded default).`,
  run: async (argv, io) => {
    parseCliArgs(argv, {}, false);
    const config = loadProcessConfig();
    const logger = createLogger({ level: 'warn' });
    const database = await openDatabase(config, logger, { migrate: false });
    try {
      const { migrateToLatest } = await import('../../db/migrate.ts');
      const { applied } = await migrateToLatest(database.db);
      io.out(
        applied.length > 0
          ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`
          : 'Database is up to date.',
      );
      return 0;
    } finally {
      await database.close();
    }
  },
} satisfies CliCommand;
