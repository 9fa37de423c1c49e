import { slashCommands } from '../../bot/commands/index.ts';
import { registerAndRecord } from '../../bot/register-commands.ts';
import { requireFeature } from '../../lib/config.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';

export default {
  name: 'discord-register',
  summary: 'Register the slash commands with Discord (one guild for development, or global)',
  usage: `Usage: npm run --silent cli -- discord-register [--guild ID]

--guild ID  registers in that server only: instant, for development.
(none)      registers globally, for every server and user install: Discord may take up to an hour to show it.
The bot also registers at start when the command definitions changed (in DISCORD_DEV_GUILD_ID when set).`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, { guild: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
      throw new UsageError('--guild must be a Discord server id (17–20 digits)');
    }
    return withCliContext(async (cli) => {
      const discord = requireFeature(cli.config, 'discord');
      const guildId = values.guild ?? null;
      try {
        const count = await registerAndRecord(
          cli.database.db,
          { token: discord.token, appId: discord.appId, apiUrl: discord.apiUrl, guildId },
          slashCommands as never,
        );
        io.out(JSON.stringify({ registered: count, scope: guildId ? `guild ${guildId}` : 'global' }));
      } catch (error) {
        throw new CliError(
          `Discord refused the registration: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return 0;
    });
  },
} satisfies CliCommand;
