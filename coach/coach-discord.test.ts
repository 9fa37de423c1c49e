import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../app/bot.ts';
import type { Service } from '../app/web-service.ts';
import { type CoachTestContext, startCoachContext, type TestDatabase } from '../test/context.ts';
import { type DiscordFake, startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { callTools, type OpenAiFake, say } from '../test/fakes/openai/openai-fake.ts';
import { insertFixtureAthlete } from './eval/fixture.ts';

const ephemeral = 64;
const athleteUser = '610000000000000001';
const stranger = '610000000000000002';
const guildId = '710000000000000001';

/** The real discord.js client against the Discord fake, the coach against the OpenAI fake. */
describe('coach in Discord: DMs and /coach', () => {
  let coach: CoachTestContext;
  let database: TestDatabase;
  let discord: DiscordFake;
  let openai: OpenAiFake;
  let bot: Service;

  beforeAll(async () => {
    coach = await startCoachContext({ now: new Date('2026-11-01T09:00:00Z') });
    ({ database, openai } = coach);
    discord = await startDiscordFake({ token: 'coach-bot-token', quiet: true });
    await insertFixtureAthlete(database.db, {
      discordUserId: athleteUser,
      name: 'Dee',
      thresholds: [{ kind: 'ftp', value: 240, from: '2026-01-01' }],
      activities: [
        {
          date: '2026-10-30',
          name: 'Sweet spot',
          sport: 'Ride',
          source: 'file_upload',
          movingS: 3600,
          distanceM: 32_000,
          elevationM: 250,
          stress: 72,
          npW: 215,
        },
      ],
    });
    const ctx = coach.context({
      DISCORD_TOKEN: 'coach-bot-token',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
    });
    bot = createBot(ctx);
    await bot.start();
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await coach?.stop();
  });

  const sendDm = async (userId: string, content: string) => {
    await discord.sendDirectMessage({ userId, content });
  };

  it('answers a DM with a typing indicator, in parts under 2000 characters', async () => {
    const paragraph = 'Your FTP is 240 W, so keep sweet spot near it and recover well between sessions. '
      .repeat(12)
      .trim();
    openai.script(
      callTools({ name: 'thresholds_zones', arguments: {} }),
      say([paragraph, paragraph, paragraph].join('\n\n')),
    );
    await sendDm(athleteUser, 'How should I train this week?');
    await expect.poll(() => discord.dms(athleteUser).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const dms = discord.dms(athleteUser);
    for (const dm of dms) expect(dm.content.length).toBeLessThanOrEqual(2000);
    expect(dms.map((dm) => dm.content).join('\n\n')).toBe([paragraph, paragraph, paragraph].join('\n\n'));
    expect(discord.typing().length).toBeGreaterThanOrEqual(1);
    expect(discord.unknownRoutes()).toEqual([]);
  });

  it('a DM proposal carries Apply/Dismiss buttons; pressing Apply writes the plan once', async () => {
    openai.script(
      callTools({
        name: 'plan_propose',
        arguments: {
          title: 'Openers before Sunday',
          changes: [{ action: 'add', date: '2026-11-03', sport: 'Ride', title: 'Openers', stress_tss: 40 }],
        },
      }),
      say('I have proposed an openers ride.'),
    );
    await sendDm(athleteUser, 'Add openers on Tuesday?');
    const dm = await discord.waitForDm(athleteUser, (m) => m.content.includes('Proposed: Openers'), 10_000);
    expect(dm.content).toContain('• Add — Tue 3 Nov — Ride — Openers — 40 TSS');
    const buttons = (
      dm.components[0] as { components: { label: string; custom_id: string; style: number }[] }
    ).components;
    expect(buttons.map((b) => b.label)).toEqual(['Apply to my plan', 'Dismiss']);
    expect(buttons[0]!.style).toBe(3);
    expect(buttons[0]!.custom_id).toMatch(/^coach:apply:\d+$/);
    const planned = () => database.db.selectFrom('planned_workouts').select(['date', 'title']).execute();
    expect(await planned()).toEqual([]);

    const pressApply = async () => {
      const press = await discord.sendInteraction(
        discord.build.button({ userId: athleteUser, customId: buttons[0]!.custom_id, message: dm }),
      );
      return discord.waitForReply(press, {
        predicate: (m) => !m.content.includes('Proposed'),
        timeoutMs: 10_000,
      });
    };
    const applied = await pressApply();
    expect(applied.content).toContain('✅ **Applied: Openers before Sunday**');
    expect(applied.components).toEqual([]);
    expect(await planned()).toEqual([{ date: '2026-11-03', title: 'Openers' }]);
    const again = await pressApply();
    expect(again.content).toMatch(/already applied/);
    expect(await planned()).toEqual([{ date: '2026-11-03', title: 'Openers' }]);
    expect(discord.unknownRoutes()).toEqual([]);
  });

  it('tells a stranger in DMs to connect first', async () => {
    await sendDm(stranger, 'hi coach');
    await expect.poll(() => discord.dms(stranger).length, { timeout: 10_000 }).toBe(1);
    expect(discord.dms(stranger)[0]!.content).toMatch(/\/connect/);
  });

  it('/coach answers ephemerally in a server, and reset:true forgets', async () => {
    openai.script(say('Keep it steady.'));
    const asked = await discord.sendInteraction(
      discord.build.slashCommand({
        userId: athleteUser,
        name: 'coach',
        guildId,
        options: { question: 'Quick tip?' },
      }),
    );
    const reply = await discord.waitForReply(asked, { predicate: (m) => !m.loading, timeoutMs: 10_000 });
    expect(reply.content).toBe('Keep it steady.');
    expect(reply.flags & ephemeral).toBe(ephemeral);
    expect((await database.db.selectFrom('coach_messages').select('id').execute()).length).toBeGreaterThan(0);

    const reset = await discord.sendInteraction(
      discord.build.slashCommand({ userId: athleteUser, name: 'coach', guildId, options: { reset: true } }),
    );
    const done = await discord.waitForReply(reset, { predicate: (m) => !m.loading, timeoutMs: 10_000 });
    expect(done.content).toMatch(/forgotten our conversation/);
    expect(await database.db.selectFrom('coach_messages').select('id').execute()).toEqual([]);
  });

  it('/coach fits a very long answer into one reply as its unbroken beginning, with a note', async () => {
    const sentence = 'Keep the easy days easy and the hard days purposeful, and sleep well between them. ';
    openai.script(say(sentence.repeat(150).trim()));
    const asked = await discord.sendInteraction(
      discord.build.slashCommand({
        userId: athleteUser,
        name: 'coach',
        guildId,
        options: { question: 'Tell me everything about training.' },
      }),
    );
    const reply = await discord.waitForReply(asked, { predicate: (m) => !m.loading, timeoutMs: 10_000 });
    expect(reply.flags & ephemeral).toBe(ephemeral);
    expect(reply.content.length).toBeLessThanOrEqual(2000);
    const descriptions = reply.embeds.map((embed) => String(embed['description'] ?? ''));
    for (const description of descriptions) expect(description.length).toBeLessThanOrEqual(4096);
    expect(descriptions.join('').length).toBeLessThanOrEqual(6000);
    expect(descriptions.at(-1)).toMatch(/shortened to fit one reply: DM me for the whole answer\)$/);
    // One unbroken beginning of the answer, not pieces clipped in the middle.
    const shown = [reply.content, ...descriptions].join(' ').replace(/\s*… \(shortened.*$/, '');
    expect(sentence.repeat(150).startsWith(shown.replace(/\s+/g, ' '))).toBe(true);
    expect(shown.length).toBeGreaterThan(7000);
    expect(discord.unknownRoutes()).toEqual([]);
  });
});
