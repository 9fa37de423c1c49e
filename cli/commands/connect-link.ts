import { createConnectLink } from '../../ingest/connect/connect-links.ts';
import { requireFeature } from '../../lib/config.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId } from './arguments.ts';

export default {
  name: 'connect-link',
  summary: 'Print a one-time Strava connect link for a Discord user',
  usage: `Usage: npm run --silent cli -- connect-link <discord-user-id>

Prints a link (valid once, for 10 minutes) that connects the user's Strava account — the same link
/connect gives in Discord.`,
  run: async (argv, io) => {
    const { positionals } = parseCliArgs(argv, {});
    if (positionals.length !== 1) throw new UsageError('expected exactly one Discord user id');
    const userId = discordUserId(positionals[0]!);
    return withCliContext(async (ctx) => {
      requireFeature(ctx.config, 'strava');
      const link = await createConnectLink(ctx.database.db, ctx.config.publicUrl, userId);
      io.out(link.url);
      return 0;
    });
  },
} satisfies CliCommand;
