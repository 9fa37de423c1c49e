import { setTimeout as sleep } from 'node:timers/promises';
import { SlashCommandBuilder } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBotService } from '../../bot/bot-service.ts';
import { defineCommand, type SlashCommand } from '../../bot/command.ts';
import { AppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/logger.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

const ephemeral = 64;
const userId = '650000000000000001';
const guildId = '750000000000000001';

const definition = (name: string) =>
  new SlashCommandBuilder().setName(name).setDescription(`Test command ${name}`).toJSON();

/**
 * The interaction handler's timing rules with the real discord.js client against the Discord fake:
 * progress edits at most every 2 s, the automatic deferral before Discord's 3 s, and an error that lands
 * while that deferral is on its way.
 */
describe('interaction timing against the Discord fake', () => {
  let discord: DiscordFake;
  let bot: ReturnType<typeof createBotService<null>>;

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true });
    const commands: SlashCommand<null>[] = [
      defineCommand({
        data: definition('busy'),
        options: z.object({}),
        defer: true,
        execute: async ({ progress }) => {
          // Ten progress reports in 3 s: at most two may reach Discord.
          for (let i = 0; i < 10; i += 1) {
            await progress({ content: `step ${i}` });
            await sleep(300);
          }
          return { content: 'done' };
        },
      }),
      defineCommand({
        data: definition('slow'),
        options: z.object({}),
        execute: async () => {
          await sleep(2_500);
          return { content: 'slow answer' };
        },
      }),
      defineCommand({
        data: definition('fails-while-deferring'),
        options: z.object({}),
        execute: async ({ invoker }) => {
          // Fail the moment the automatic deferral reaches Discord, before discord.js has its answer.
          await discord.waitForCallback(invoker.interactionId, 5_000);
          throw new AppError('not_connected', {
            message: 'test',
            userMessage: 'Connect Strava first: /connect',
          });
        },
      }),
    ];
    bot = createBotService({
      token: 'test-bot-token',
      apiUrl: discord.apiUrl,
      commands,
      ctx: null,
      logger: createLogger({ level: 'silent' }),
    });
    await bot.start();
  }, 30_000);

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
  });

  it('progress edits and the final answer are at least 2 s apart', async () => {
    const interaction = await discord.sendInteraction(discord.build.slashCommand({ userId, name: 'busy' }));
    await discord.waitForReply(interaction, { predicate: (m) => m.content === 'done', timeoutMs: 10_000 });
    const times = interaction.edits.map((edit) => Date.parse(edit.editedAt!));
    const contents = interaction.edits.map((edit) => edit.content);
    expect(contents[0]).toBe('step 0');
    expect(contents.at(-1)).toBe('done');
    expect(contents.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_990);
  }, 15_000);

  it('a slow command without defer is deferred within 3 s, privately in a server, then answered', async () => {
    const sent = Date.now();
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId, name: 'slow', guildId }),
    );
    const callback = await discord.waitForCallback(interaction);
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(callback.type).toBe(5);
    expect(callback.flags & ephemeral).toBe(ephemeral);
    const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading });
    expect(reply.content).toBe('slow answer');
  }, 10_000);

  it('an error while the automatic deferral is in flight edits the deferred reply (no double acknowledgement)', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId, name: 'fails-while-deferring', guildId }),
    );
    const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading, timeoutMs: 8_000 });
    expect(reply.content).toBe('Connect Strava first: /connect');
    expect(reply.flags & ephemeral).toBe(ephemeral);
    expect(interaction.callbacks.length).toBe(1);
  }, 10_000);
});
