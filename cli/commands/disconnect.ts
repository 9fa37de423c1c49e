import { buildAppContext } from '../../app/build-context.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { disconnectStrava } from '../../ingest/connect/disconnect.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId } from './arguments.ts';

export default {
  name: 'disconnect',
  summary: "Disconnect a Discord user's Strava account and delete its Strava data",
  usage: `Usage: npm run --silent cli -- disconnect <discord-user-id> [--keep-derived]

Deauthorizes at Strava, deletes the tokens, and deletes the user's Strava activities, streams and metrics
(the PMC is recomputed). With --keep-derived, only streams and raw Strava data go; computed numbers stay.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, { 'keep-derived': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected exactly one Discord user id');
    const userId = discordUserId(positionals[0]!);
    return withCliContext(async (cli) => {
      const athlete = await findAthleteByDiscordId(cli.database.db, userId);
      if (!athlete) throw new CliError(`no athlete for Discord user ${userId}`);
      const ctx = buildAppContext({
        config: cli.config,
        logger: cli.logger,
        db: cli.database.db,
        boss: await cli.boss(),
      });
      if (!ctx.strava) throw new CliError('Strava is not configured (see .env.example)');
      const result = await disconnectStrava(
        {
          db: ctx.db,
          cipher: ctx.strava.cipher,
          deauthorize: ctx.strava.oauth.deauthorize,
          logger: ctx.logger,
        },
        athlete.id,
        { keepDerived: values['keep-derived'] ?? false, alreadyRevoked: false },
      );
      io.out(JSON.stringify(result));
      return 0;
    });
  },
} satisfies CliCommand;
