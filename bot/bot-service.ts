import { Client, Events, GatewayIntentBits, type Message, Partials } from 'discord.js';
import type { Service } from '../app/web-service.ts';
import type { Logger } from '../lib/logger.ts';
import type { SlashCommand } from './command.ts';
import { createInteractionHandler, type InteractionHooks } from './interaction-handler.ts';

/**
 * The gateway side of the bot: logs in, routes interactions to commands and DMs to `onDirectMessage`.
 * `start` resolves once Discord says READY.
 */
export function createBotService<Ctx>(options: {
  token: string;
  apiUrl: string;
  commands: SlashCommand<Ctx>[];
  ctx: Ctx;
  logger: Logger;
  hooks?: InteractionHooks;
  onReady?: (client: Client<true>) => Promise<void>;
  onDirectMessage?: (message: Message) => Promise<void>;
}): Service & { client: Client } {
  const log = options.logger.child({ subsystem: 'bot' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: options.apiUrl },
    // As many gateway shards as GET /gateway/bot recommends (one until the bot is in ~2,500 guilds), all
    // in this process; discord.js spaces their IDENTIFYs by the session start limit's max_concurrency.
    shards: 'auto',
  });
  const handle = createInteractionHandler(options.commands, options.ctx, options.logger, options.hooks);
  client.on(Events.InteractionCreate, (interaction) => void handle(interaction));
  client.on(Events.MessageCreate, (message) => {
    if (message.author.bot || message.inGuild() || !options.onDirectMessage) return;
    void options
      .onDirectMessage(message)
      .catch((error) => log.error({ err: error, messageId: message.id }, 'DM handling failed'));
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  return {
    name: 'bot',
    client,
    start: async () => {
      const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(options.token);
      const readyClient = await ready;
      log.info({ user: readyClient.user.tag, shards: client.options.shardCount }, 'logged in to Discord');
      await options.onReady?.(readyClient);
    },
    stop: async () => {
      await client.destroy();
    },
  };
}
