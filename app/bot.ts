import { createBotService } from '../bot/bot-service.ts';
import { slashCommands } from '../bot/commands/index.ts';
import { createDirectMessageHandler } from '../bot/direct-message.ts';
import { syncCommands } from '../bot/register-commands.ts';
import { takePendingNotice } from '../db/queries/athletes.ts';
import type { AppContext } from './context.ts';
import type { Service } from './web-service.ts';

/** The Discord side: gateway client with every command; registers commands at start when they changed. */
export function createBot(ctx: AppContext): Service {
  const discord = ctx.config.discord!;
  return createBotService({
    token: discord.token,
    apiUrl: discord.apiUrl,
    commands: slashCommands,
    ctx,
    logger: ctx.logger,
    hooks: {
      takeNotice: (userId) => takePendingNotice(ctx.db, userId),
    },
    onDirectMessage: createDirectMessageHandler(ctx),
    onReady: async (client) => {
      // A refused registration (Discord caps command updates per day) leaves the previous commands in
      // place; the bot keeps answering them rather than failing to start.
      try {
        const outcome = await syncCommands(
          ctx.db,
          { token: discord.token, appId: discord.appId, apiUrl: discord.apiUrl, guildId: discord.devGuildId },
          slashCommands as never,
        );
        ctx.logger.info({ outcome, user: client.user.tag }, 'slash commands in sync');
      } catch (error) {
        ctx.logger.error(
          { err: error },
          'slash command registration failed; `cli discord-register` retries it',
        );
      }
    },
  });
}
