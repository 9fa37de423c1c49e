import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/connect.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { type ExportContents, writeAthleteExport } from '../../exports/build-export.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId } from './arguments.ts';

/**
 * Writes a user's export to `outPath` through a temporary file beside it, so a failure never leaves a
 * partial ZIP under the requested name.
 */
export async function exportToFile(
  db: Db,
  userId: string,
  outPath: string,
  now = new Date(),
): Promise<ExportContents> {
  const athlete = await findAthleteByDiscordId(db, userId);
  if (!athlete) throw new CliError(`no athlete for Discord user ${userId}`);
  const partial = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${process.pid}.partial`);
  try {
    const contents = await writeAthleteExport(db, athlete.id, createWriteStream(partial), now);
    await rename(partial, outPath);
    return contents;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

export default {
  name: 'export',
  summary: "Write all of a Discord user's data (what /export DMs them) to a ZIP file",
  usage: `Usage: npm run --silent cli -- export <discord-user-id> <out.zip>

Writes everything Threshold stores about the user — profile and settings, activities, metrics, daily
training load, thresholds, streams, plans, coach conversation — as JSON and CSV in a ZIP, the same
archive /export sends. Encrypted Strava tokens are left out.`,
  run: async (argv, io) => {
    const { positionals } = parseCliArgs(argv, {});
    if (positionals.length !== 2) throw new UsageError('expected a Discord user id and an output file');
    const userId = discordUserId(positionals[0]!);
    const outPath = path.resolve(positionals[1]!);
    if (!outPath.endsWith('.zip')) throw new UsageError('the output file must end in .zip');
    return withCliContext(async ({ database }) => {
      const contents = await exportToFile(database.db, userId, outPath);
      const count = (name: string) => contents.files.find((f) => f.name === name)?.records ?? 0;
      const streams = contents.files.filter((f) => f.name.startsWith('streams/')).length;
      io.out(
        `Wrote ${outPath}: ${count('activities.json')} activities, ${count('daily_load.json')} days of load, ${streams} stream files, ${contents.tables.length} tables.`,
      );
      return 0;
    });
  },
} satisfies CliCommand;
