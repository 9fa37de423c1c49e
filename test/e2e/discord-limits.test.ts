import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../app/bot.ts';
import type { Service } from '../../app/web-service.ts';
import { buildDigest } from '../../bot/digest/digest-message.ts';
import { DmsClosedError } from '../../bot/dm-sender.ts';
import { notifyJob } from '../../bot/jobs/notify.job.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { insertPlan } from '../../db/queries/planning.ts';
import { givenStravaActivity, type Harness, startHarness } from '../context.ts';
import { type DiscordFake, type MessageRecord, startDiscordFake } from '../fakes/discord/discord-fake.ts';
import { autocompleteProblems, messageProblems } from '../fakes/discord/limits.ts';

const ephemeral = 64;
const now = new Date('2026-06-15T10:00:00Z');
const athleteUser = '640000000000000001';
const stranger = '640000000000000002';
const guildId = '740000000000000001';
/** Strava allows long names; emoji are two UTF-16 units each. */
const longName = (i: number) =>
  `🚴 Sortie épique n°${i} ${'avec des intervalles très longs '.repeat(12)}`.trim();

/** A 20 min ride with power and heart rate. */
function streams() {
  const time = Array.from({ length: 1200 }, (_, i) => i);
  return {
    time: { data: time },
    watts: { data: time.map((i) => 200 + (i % 60)) },
    heartrate: { data: time.map((i) => 130 + Math.round(i / 60)) },
    velocity_smooth: { data: time.map(() => 9) },
    distance: { data: time.map((i) => i * 9) },
  };
}

function expectValid(message: MessageRecord) {
  expect(
    messageProblems(
      { content: message.content, embeds: message.embeds, components: message.components },
      message.attachments.map((a) => a.filename),
    ),
  ).toEqual([]);
  expect(message.content).not.toContain('Something went wrong');
}

/**
 * Worst-case data (very long names, many activities and plans, a long scope) through every command, with
 * the real discord.js client against the Discord fake, which refuses what Discord refuses.
 */
describe('Discord limits with worst-case data', () => {
  let discord: DiscordFake;
  let h: Harness;
  let bot: Service;

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true });
    h = await startHarness({
      fakeNow: now,
      env: {
        DISCORD_TOKEN: 'test-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    const db = h.database.db;
    const athlete = await db
      .insertInto('athletes')
      .values({
        discord_user_id: athleteUser,
        timezone: 'Europe/Paris',
        strava_athlete_id: '5550001',
        name: `Ada ${'Lovelace-'.repeat(40)}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('strava_connections')
      .values({
        athlete_id: athlete.id,
        access_token_enc: 'x',
        refresh_token_enc: 'x',
        expires_at: new Date('2026-06-15T16:00:00Z'),
        scope: Array.from({ length: 200 }, (_, i) => `scope_${i}`).join(','),
      })
      .execute();
    await db
      .insertInto('athlete_thresholds')
      .values({ athlete_id: athlete.id, kind: 'ftp', value: 250, effective_date: '2026-01-01' })
      .execute();
    // 30 rides yesterday (local date), each with a long name.
    for (let i = 0; i < 30; i += 1) {
      await givenStravaActivity(h.deps, athlete.id, {
        stravaId: String(900000 + i),
        name: longName(i),
        sport: 'Ride',
        start: new Date(Date.UTC(2026, 5, 14, 5, i)),
        startLocal: `2026-06-14T07:${String(i).padStart(2, '0')}:00`,
        movingS: 1200,
        distanceM: 10_800,
        streams: streams(),
      });
    }
    for (let i = 0; i < 20; i += 1) {
      await insertPlan(db, athlete.id, {
        date: '2026-06-15',
        sport: 'Ride',
        title: `Plan ${i} ${'sweet spot blocks '.repeat(10)}`.slice(0, 100),
        plannedDurationS: 3600,
        plannedStress: 60,
      });
    }
    await db
      .insertInto('race_goals')
      .values({ athlete_id: athlete.id, date: '2026-06-20', name: 'G'.repeat(100), target_tsb: 10 })
      .execute();
    bot = createBot(h.ctx);
    await bot.start();
  }, 120_000);

  afterEach(() => {
    expect(discord.unknownRoutes()).toEqual([]);
  });

  afterAll(async () => {
    await bot?.stop();
    await h?.stop();
    await discord?.close();
  });

  const finalReply = async (
    name: string,
    options: Record<string, string | number | boolean> = {},
    where: { guildId?: string; userId?: string } = {},
  ) => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: where.userId ?? athleteUser, name, options, ...where }),
    );
    return discord.waitForReply(interaction, { predicate: (m) => !m.loading, timeoutMs: 20_000 });
  };

  it.each([
    ['help', {}],
    ['connect', {}],
    ['status', {}],
    ['settings', {}],
    ['form', { days: 30 }],
    ['activity', {}],
    ['curve', { days: 30 }],
    ['digest', {}],
    ['disconnect', {}],
  ] as const)(
    '/%s answers within every message limit',
    async (name, options) => {
      const reply = await finalReply(name, options);
      expectValid(reply);
      expect(reply.embeds.length + reply.content.length).toBeGreaterThan(0);
    },
    30_000,
  );

  it('/activity with a long name: the title is shortened with an ellipsis, the chart attached', async () => {
    const reply = await finalReply('activity', {}, { guildId });
    expectValid(reply);
    const embed = reply.embeds[0] as { title: string; image: { url: string } };
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.title.endsWith('…')).toBe(true);
    expect(reply.attachments.map((a) => a.filename)).toContain('activity.png');
    expect(reply.flags & ephemeral).toBe(ephemeral);
  }, 30_000);

  it('/digest lists yesterday’s 30 long-named rides cut to the field limit, not refused', async () => {
    const reply = await finalReply('digest');
    expectValid(reply);
    const fields = (reply.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    const yesterday = fields.find((f) => f.name === 'Yesterday')!.value;
    expect(yesterday.length).toBeLessThanOrEqual(1024);
    expect(yesterday.startsWith('🚴 Sortie épique')).toBe(true);
    // Shortened by whole rides, each name to 100 characters, the rest counted.
    expect(yesterday).toMatch(/\n… and \d+ more$/);
    expect(yesterday.split('\n')[0]).toMatch(/^🚴 Sortie épique n°\d+ .{60,}…\s— \d+ stress, 20:00$/u);
  }, 30_000);

  it('autocomplete over long names: at most 25 choices, names within 100 characters', async () => {
    const auto = await discord.sendInteraction(
      discord.build.autocomplete({
        userId: athleteUser,
        name: 'activity',
        focused: { name: 'activity', value: 'épique' },
      }),
    );
    const callback = await discord.waitForCallback(auto);
    expect(callback.type).toBe(8);
    const choices = (callback.data as { choices: Record<string, unknown>[] }).choices;
    expect(choices.length).toBe(25);
    expect(autocompleteProblems(choices)).toEqual([]);
    // The long name gives way; the date and the stress stay readable.
    expect(String(choices[0]!['name'])).toMatch(/^2026-06-14 · 🚴 Sortie épique n°29 .+… · \d+ stress$/u);
    expect(String(choices[0]!['name']).length).toBeLessThanOrEqual(100);
    // The picked value names the activity, whatever its name.
    const reply = await finalReply('activity', { activity: String(choices[3]!['value']) });
    expect((reply.embeds[0] as { title: string }).title).toMatch(/^🚴 Sortie épique n°26 /);
  }, 30_000);

  it('autocomplete for someone not connected, and for a command we do not have, is an empty list', async () => {
    for (const init of [
      { userId: stranger, name: 'activity', focused: { name: 'activity', value: '' } },
      { userId: athleteUser, name: 'no-such-command', focused: { name: 'x', value: '' } },
    ]) {
      const auto = await discord.sendInteraction(discord.build.autocomplete(init));
      const callback = await discord.waitForCallback(auto);
      expect(callback.type).toBe(8);
      expect((callback.data as { choices: unknown[] }).choices).toEqual([]);
    }
  });

  it('/settings timezone autocomplete offers UTC; a lowercase zone is stored in its own spelling', async () => {
    const auto = await discord.sendInteraction(
      discord.build.autocomplete({
        userId: stranger,
        name: 'settings',
        focused: { name: 'timezone', value: 'utc' },
      }),
    );
    const choices = ((await discord.waitForCallback(auto)).data as { choices: { value: string }[] }).choices;
    expect(choices.map((c) => c.value)).toContain('UTC');
    const reply = await finalReply('settings', { timezone: 'europe/paris' }, { userId: stranger });
    const fields = (reply.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    expect(fields.find((f) => f.name === 'Time zone')!.value).toBe('Europe/Paris');
  });

  it('/settings takes and shows an imperial athlete’s run pace per mile', async () => {
    const reply = await finalReply(
      'settings',
      { units: 'imperial', run_pace: '7:15/mi' },
      { userId: stranger },
    );
    const fields = (reply.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    // 435 s per mile is 270.3 s per km, stored per km and shown back per mile.
    expect(fields.find((f) => f.name === 'Threshold pace')!.value).toBe('7:15 /mi');
    const metric = await finalReply('settings', { units: 'metric' }, { userId: stranger });
    const metricFields = (metric.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    expect(metricFields.find((f) => f.name === 'Threshold pace')!.value).toBe('4:30 /km');
  });

  it('/settings refuses every out-of-range value with its range, and an impossible date', async () => {
    const reply = await finalReply(
      'settings',
      {
        ftp: 20,
        lthr: 300,
        max_hr: 90,
        rest_hr: 10,
        run_pace: '9:99',
        swim_pace: 'fast',
        timezone: 'Mars/Base',
        digest_time: '25:00',
        effective: '2026-02-30',
      },
      { userId: stranger, guildId },
    );
    expect(reply.flags & ephemeral).toBe(ephemeral);
    for (const text of [
      'ftp must be between 50 and 700 W',
      'lthr must be between 80 and 220 bpm',
      'max_hr must be between 100 and 250 bpm',
      'rest_hr must be between 25 and 120 bpm',
      'run_pace must be M:SS per km, between 2:30 and 15:00',
      'swim_pace must be M:SS per 100 m, between 0:50 and 5:00',
      'timezone must be an IANA zone',
      'digest_time must be HH:MM',
      'effective must be a real date',
    ]) {
      expect(reply.content).toContain(text);
    }
  });

  it('/settings digest_time 7:30 is read as 07:30', async () => {
    const reply = await finalReply('settings', { digest_time: '7:30' }, { userId: stranger });
    const fields = (reply.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    expect(fields.find((f) => f.name === 'Daily digest')!.value).toBe('on, at 07:30');
  });

  it('a command we do not have gets a friendly ephemeral answer', async () => {
    const reply = await finalReply('no-such-command', {}, { guildId });
    expect(reply.content).toBe('This command is not available any more.');
    expect(reply.flags & ephemeral).toBe(ephemeral);
  });

  it('in a group DM or a DM between people (user install), personal replies are ephemeral', async () => {
    const payload = discord.build.slashCommand({ userId: athleteUser, name: 'status' });
    const interaction = await discord.sendInteraction({ ...payload, context: 2 } as typeof payload);
    const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading });
    expect(reply.embeds.length).toBe(1);
    expect(reply.flags & ephemeral).toBe(ephemeral);
  });

  it('a pending notice is shown once, on the next command, even when that command fails', async () => {
    const told = '640000000000000003';
    await h.database.db
      .insertInto('athletes')
      .values({ discord_user_id: told, pending_notice: 'Your DMs are closed, so the digest is off.' })
      .execute();
    const first = await finalReply('curve', {}, { userId: told });
    expect(first.content).toContain('ℹ️ Your DMs are closed, so the digest is off.');
    expect(first.content).toContain('No power data yet');
    const second = await finalReply('curve', {}, { userId: told });
    expect(second.content).not.toContain('DMs are closed');
    await h.database.db
      .updateTable('athletes')
      .set({ pending_notice: 'Your DMs are closed, so the digest is off.' })
      .where('discord_user_id', '=', told)
      .execute();
    const failed = await finalReply('activity', { activity: 'no such ride' }, { userId: told });
    expect(failed.content).toContain('ℹ️ Your DMs are closed, so the digest is off.');
    expect(failed.content).toContain('No activity of yours matches');
    const after = await finalReply('activity', { activity: 'no such ride' }, { userId: told });
    expect(after.content).not.toContain('DMs are closed');
  });

  it('a digest DM with a long coach sentence stays within the 6000-character embed total', async () => {
    const athlete = (await findAthleteByDiscordId(h.database.db, athleteUser))!;
    const reply = await buildDigest(h.ctx, athlete, '2026-06-15', async () =>
      'Keep the intensity low today and sleep well. '.repeat(120),
    );
    await h.ctx.dm!.send(athleteUser, reply);
    const dm = await discord.waitForDm(athleteUser, (m) => m.content.startsWith('Your daily form digest'));
    expectValid(dm);
    expect((dm.embeds[0] as { description: string }).description.startsWith('Keep the intensity low')).toBe(
      true,
    );
    expect(dm.attachments.map((a) => a.filename)).toEqual(['pmc.png']);
  });

  it('a DM to someone whose DMs are closed is a DmsClosedError (Discord 50007)', async () => {
    discord.closeDms(stranger);
    const error = await h.ctx.dm!.send(stranger, { content: 'hello' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DmsClosedError);
    discord.openDms(stranger);
  });

  it('in a server, a public /help does not show the athlete’s notice; it follows privately', async () => {
    const told = '640000000000000004';
    await h.database.db
      .insertInto('athletes')
      .values({ discord_user_id: told, pending_notice: 'Your DMs are closed, so the digest is off.' })
      .execute();
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: told, name: 'help', guildId }),
    );
    const reply = await discord.waitForReply(interaction);
    expect(reply.flags & ephemeral).toBe(0);
    expect(reply.content).not.toContain('DMs are closed');
    const notice = await discord.waitForFollowUp(interaction);
    expect(notice.content).toBe('ℹ️ Your DMs are closed, so the digest is off.');
    expect(notice.flags & ephemeral).toBe(ephemeral);
  });

  it('a notification to closed DMs is kept, said as such, and shown on the next command', async () => {
    const told = '640000000000000005';
    await h.database.db.insertInto('athletes').values({ discord_user_id: told }).execute();
    discord.closeDms(told);
    await notifyJob.handler(
      { discordUserId: told, kind: 'recompute_done', data: { activities: 3, failed: false } },
      h.ctx,
      {} as never,
    );
    discord.openDms(told);
    expect(discord.dms(told)).toEqual([]);
    const reply = await finalReply('status', {}, { userId: told });
    expect(reply.content).toMatch(
      /^ℹ️ I could not DM you this, because your DMs are closed to me: ✅ Your history is recomputed/,
    );
  });

  it('/settings heart rates must agree with the stored ones; the digest-off reason reads as words', async () => {
    const user = '640000000000000006';
    await finalReply('settings', { rest_hr: 100, max_hr: 190 }, { userId: user });
    const low = await finalReply('settings', { max_hr: 115 }, { userId: user, guildId });
    expect(low.content).toBe('max_hr (115 bpm) must be well above rest_hr (100 bpm).');
    expect(low.flags & ephemeral).toBe(ephemeral);
    const high = await finalReply('settings', { lthr: 195 }, { userId: user });
    expect(high.content).toBe('lthr (195 bpm) must be below max_hr (190 bpm).');
    await h.database.db
      .updateTable('athletes')
      .set({ digest_enabled: false, digest_disabled_reason: 'dms_closed' })
      .where('discord_user_id', '=', user)
      .execute();
    const view = await finalReply('settings', {}, { userId: user });
    const fields = (view.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    expect(fields.find((f) => f.name === 'Daily digest')!.value).toBe(
      'off (your DMs were closed to me; allow them, then `/settings digest:true`)',
    );
    expect(fields.find((f) => f.name === 'Max HR')!.value).toBe('190 bpm');
  });
});
