import { buildAppContext } from '../../app/build-context.ts';
import { createQueues } from '../../app/job-runner.ts';
import { jobDefinitions } from '../../app/jobs.ts';
import { ensureAthlete } from '../../db/queries/athletes.ts';
import { prepareLocalImport, runExportImport } from '../../imports/export-import.ts';
import { AppError } from '../../lib/errors.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId } from './arguments.ts';

export default {
  name: 'import-export',
  summary: "Import a Strava bulk export ZIP into a Discord user's history",
  usage: `Usage: npm run --silent cli -- import-export <zip> <discord-user-id> [--no-dm]

Reads the ZIP Strava sends from Settings → My Account → Download or Delete Your Account: every activity
file with its name and sport from activities.csv (and each activity without a file, a manual entry, from
its row), deduplicated against what the athlete already has.
Prints progress; run it again after an interruption and it resumes where it stopped. The athlete is
created if they have never used the bot. Unless --no-dm, the athlete gets the summary by Discord DM
(sent by a running worker).`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, { 'no-dm': { type: 'boolean' } });
    if (positionals.length !== 2) throw new UsageError('expected a ZIP path and a Discord user id');
    const [zipPath, rawUserId] = positionals as [string, string];
    const userId = discordUserId(rawUserId);
    return withCliContext(async (cli) => {
      const boss = await cli.boss();
      // The DMs go through the notify queue, which a fresh database may not have yet.
      await createQueues(boss, jobDefinitions);
      const ctx = buildAppContext({ config: cli.config, logger: cli.logger, db: cli.database.db, boss });
      const athlete = await ensureAthlete(ctx.db, userId);
      let prepared: Awaited<ReturnType<typeof prepareLocalImport>>;
      try {
        prepared = await prepareLocalImport(ctx, athlete.id, zipPath, values['no-dm'] ? null : userId);
      } catch (error) {
        if (error instanceof AppError) throw new CliError(error.message);
        throw error;
      }
      if (prepared.resumed) io.err(`Resuming import ${prepared.importId} of this file.`);
      let last = 0;
      const row = await runExportImport(ctx, prepared.importId, {
        onProgress: (r) => {
          const done = r.imported + r.duplicates + r.failed;
          if (done - last >= 25 || done === r.total) {
            last = done;
            io.out(
              `${done}/${r.total}: ${r.imported} imported, ${r.duplicates} duplicates, ${r.failed} failed`,
            );
          }
        },
      });
      if (row.state === 'failed') throw new CliError(`import failed: ${row.error ?? 'see logs'}`);
      io.out(
        `Done: ${row.imported} imported, ${row.duplicates} duplicates of activities already stored, ${row.failed} unreadable, ${row.skipped} skipped (not a workout file, or no date and duration in activities.csv).`,
      );
      return 0;
    });
  },
} satisfies CliCommand;
