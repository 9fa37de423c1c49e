import type { REST } from 'discord.js';
import type { Reply } from '../lib/presentation/reply.ts';

/** Discord's code for "Cannot send messages to this user" (DMs closed or no shared context). */
const dmsClosedCode = 50007;

export class DmsClosedError extends Error {
  override name = 'DmsClosedError';
}

export interface DmSender {
  send: (userId: string, reply: Reply) => Promise<void>;
}

/**
 * Sends DMs over Discord's REST API alone, so worker processes can notify athletes without a gateway
 * connection. A closed DM becomes `DmsClosedError`.
 */
export function createDmSender(options: { token: string; apiUrl: string }): DmSender {
  // discord.js (~30 MB resident) loads with the first DM, not with every job module that imports this
  // file for DmsClosedError: a worker that sends no DM never loads it.
  let loaded: Promise<{
    discord: typeof import('discord.js');
    rest: REST;
    adapter: typeof import('./discord-adapter.ts');
  }> | null = null;
  const load = () => {
    loaded ??= Promise.all([import('discord.js'), import('./discord-adapter.ts')]).then(
      ([discord, adapter]) => ({
        discord,
        adapter,
        rest: new discord.REST({ api: options.apiUrl }).setToken(options.token),
      }),
    );
    return loaded;
  };
  const channels = new Map<string, string>();
  return {
    send: async (userId, reply) => {
      const { discord, rest, adapter } = await load();
      const { DiscordAPIError, Routes } = discord;
      const { toMessageOptions } = adapter;
      try {
        let channelId = channels.get(userId);
        if (!channelId) {
          const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
            id: string;
          };
          channelId = channel.id;
          channels.set(userId, channelId);
        }
        const message = toMessageOptions(reply);
        await rest.post(Routes.channelMessages(channelId), {
          body: {
            content: message.content,
            embeds: message.embeds.map((embed) => embed.toJSON()),
            components: message.components.map((row) => row.toJSON()),
            // The same files, descriptions (alt text) and 10-file cap as interaction replies.
            attachments: message.files.map((file, id) => ({
              id,
              filename: file.name,
              ...(file.description ? { description: file.description } : {}),
            })),
          },
          files: (reply.files ?? []).slice(0, message.files.length).map((file) => ({
            name: file.name,
            data: file.data,
            contentType: contentTypeOf(file.name),
          })),
        });
      } catch (error) {
        if (error instanceof DiscordAPIError && error.code === dmsClosedCode) {
          throw new DmsClosedError(`user ${userId} does not accept DMs from the bot`);
        }
        throw error;
      }
    },
  };
}

/** Charts are PNGs; data exports are ZIPs. */
function contentTypeOf(fileName: string): string {
  if (fileName.endsWith('.zip')) return 'application/zip';
  if (fileName.endsWith('.png')) return 'image/png';
  return 'application/octet-stream';
}
