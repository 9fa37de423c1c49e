import { createBotService } from '../bot/bot-service.ts';
import { slashCommands } from '../bot/commands/index.ts';
import { syncCommands } from '../bot/register-commands.ts';
import { createDirectMessageHandler } from '../coach/direct-message.ts';
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
      takeNotice: async (userId) => {
        const row = await ctx.db
          .updateTable('athletes')
          .set({ pending_notice: null })
          .where('discord_user_id', '=', userId)
          .where('pending_notice', 'is not', null)
          .returning('pending_notice')
          .executeTakeFirst();
        return row?.pending_notice ?? null;
      },
    },
    onDirectMessage: createDirectMessageHandler(ctx),
    onReady: async (client) => {
      const outcome = await syncCommands(
        ctx.db,
        { token: discord.token, appId: discord.appId, apiUrl: discord.apiUrl, guildId: discord.devGuildId },
        slashCommands as never,
      );
      ctx.logger.info({ outcome, user: client.user.tag }, 'slash commands in sync');
    },
  });
}
