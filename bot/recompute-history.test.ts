import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../lib/presentation/reply.ts';
import { eventually, type Harness, startHarness } from '../test/context.ts';
import { type DiscordFake, startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { recomputeHistory } from './recompute-history.ts';

const user = '650000000000000001';

describe('the recompute-history button', () => {
  let discord: DiscordFake;
  let h: Harness;
  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'recompute-token', quiet: true });
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'recompute-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    await h.database.db.insertInto('athletes').values({ discord_user_id: user }).execute();
  });
  afterAll(async () => {
    await h?.stop();
    await discord?.close();
  });

  it('follows the job to its end when it finishes while the button is still live', async () => {
    await h.startWorkers();
    const progress: Reply[] = [];
    const reply = await recomputeHistory(h.ctx, {
      userId: user,
      from: 'all',
      progress: async (r) => {
        progress.push(r);
      },
      pollIntervalMs: 20,
    });
    expect(reply.content).toMatch(/^✅ Recomputed your whole history: 0 activities re-analysed/);
  });

  it('past the interaction token’s life it says so and DMs the result when the job ends', async () => {
    const reply = await recomputeHistory(h.ctx, {
      userId: user,
      from: '2026-01-01',
      progress: async () => {},
      followForMs: 0,
    });
    expect(reply.content).toBe(
      'Still recomputing your history from 2026-01-01 in the background; I will DM you when it is done.',
    );
    const dm = await eventually(
      async () => discord.dms(user).find((m) => m.content.includes('Your history is recomputed')),
      15_000,
      'recompute DM',
    );
    expect(dm.content).toContain('0 activities re-analysed');
  });

  it('refuses a forged date argument', async () => {
    await expect(
      recomputeHistory(h.ctx, { userId: user, from: "'; drop table", progress: async () => {} }),
    ).rejects.toThrow(/bad recompute from/);
  });
});
