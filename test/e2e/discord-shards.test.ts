import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../app/bot.ts';
import type { Service } from '../../lib/service.ts';
import { type Harness, startHarness } from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

const ada = '600000000000000011';
// (guild_id >> 22) % 2 puts these two guilds on different shards.
const guildOnShard0 = '700000000004194305';
const guildOnShard1 = '700000000000000001';

/** Discord recommends two shards: the bot runs both, and answers on each. */
describe('Discord bot with the shards /gateway/bot recommends', () => {
  let discord: DiscordFake;
  let h: Harness;
  let bot: Service;

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true, shards: 2, maxConcurrency: 2 });
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'test-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    bot = createBot(h.ctx);
    await bot.start();
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await h?.stop();
    await discord?.close();
  });

  it('identifies once on each of the two shards', () => {
    const shards = discord.events
      .filter((e) => e.kind === 'identify')
      .map((e) => (e as { payload: { shard?: [number, number] } }).payload.shard);
    expect(shards.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('answers interactions that arrive on either shard, and DMs (shard 0)', async () => {
    for (const guildId of [guildOnShard0, guildOnShard1, undefined]) {
      const interaction = await discord.sendInteraction(
        discord.build.slashCommand({ userId: ada, name: 'form', ...(guildId ? { guildId } : {}) }),
      );
      const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading });
      expect(reply.content).toContain('Connect Strava first: /connect');
    }
    expect(discord.unknownRoutes()).toEqual([]);
  });
});
