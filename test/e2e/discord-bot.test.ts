import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../app/bot.ts';
import type { Service } from '../../app/web-service.ts';
import { pngDimensions } from '../../charts/renderer.ts';
import { connectThroughBrowser, eventually, type Harness, startHarness } from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

const ephemeral = 64;
const ada = '600000000000000001';
const guildId = '700000000000000001';

/** The real discord.js client against the Discord fake, with the Strava fake behind the app. */
describe('Discord bot end to end: /connect → callback → sync → /form → /activity', () => {
  let discord: DiscordFake;
  let h: Harness;
  let bot: Service;
  let stravaAthlete: number;

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'test-bot-token', quiet: true });
    h = await startHarness({
      env: {
        DISCORD_TOKEN: 'test-bot-token',
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    stravaAthlete = h.strava.addAthlete({ firstname: 'Ada', lastname: 'Lovelace', sex: 'F' }).id;
    h.strava.addHistory(stravaAthlete, 12, { durationS: 1800 });
    await h.startWorkers();
    bot = createBot(h.ctx);
    await bot.start();
  }, 60_000);

  afterEach(() => {
    // Every REST call the bot made must be one Discord has.
    expect(discord.unknownRoutes()).toEqual([]);
  });

  afterAll(async () => {
    await bot?.stop();
    await h?.stop();
    await discord?.close();
  });

  it('registers the slash commands at start', async () => {
    const registered = await discord.waitFor((e) => e.kind === 'commands');
    const names = (registered as { commands: Record<string, unknown>[] }).commands.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['connect', 'form', 'activity', 'curve', 'digest', 'settings']),
    );
  });

  it('tells a stranger to connect first', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'form' }),
    );
    const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading });
    expect(reply.content).toContain('Connect Strava first: /connect');
  });

  it('connects through the link button, DMs the import and its summary', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'connect' }),
    );
    const reply = await discord.waitForReply(interaction);
    const button = (reply.components[0] as { components: { label: string; url: string }[] }).components[0]!;
    expect(button.label).toBe('Connect with Strava');
    h.strava.authorizeAs(stravaAthlete);
    const result = await connectThroughBrowser(button.url);
    expect(result.status).toBe(200);
    await eventually(
      async () => discord.dms(ada).some((m) => m.content.includes('Connected — importing your last 30')),
      15_000,
      'connected DM',
    );
    const summary = await eventually(
      async () => discord.dms(ada).find((m) => m.content.includes('Import finished')),
      30_000,
      'import summary DM',
    );
    expect(summary.content).toContain('12 activities analysed');
    // Right after the first import: one DM offering thresholds estimated from it, with their sources.
    const offer = await eventually(
      async () =>
        discord.dms(ada).find((m) => JSON.stringify(m.embeds).includes('Thresholds from your own training')),
      15_000,
      'threshold offer DM',
    );
    const text = (offer.embeds[0] as { description: string }).description;
    expect(text).toMatch(
      /\*\*FTP \d+ W\*\* — (95 % of your 20 min best of \d+ W on \d+ \w+|critical-power fit)/,
    );
    const labels = (offer.components[0] as { components: { label: string }[] }).components.map(
      (b) => b.label,
    );
    expect(labels).toEqual(['Accept', 'Edit']);
  }, 60_000);

  it('/form shows the embed coloured by form zone with the PMC chart as a PNG', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'form', options: { days: 30 } }),
    );
    const first = await discord.waitForCallback(interaction);
    expect(first.type).toBe(5); // deferred within Discord's 3 s
    const reply = await discord.waitForReply(interaction, {
      predicate: (m) => !m.loading,
      timeoutMs: 20_000,
    });
    const embed = reply.embeds[0] as {
      title: string;
      color: number;
      fields: { name: string; value: string }[];
      image: { url: string };
    };
    expect(embed.title).toMatch(/^Form [+−]?\d+ — /);
    expect(embed.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'Fitness (CTL)',
        'Fatigue (ATL)',
        'Form (TSB)',
        'Ramp (7 days)',
        'Stress, last 7 days',
      ]),
    );
    expect(Number(embed.fields.find((f) => f.name === 'Fitness (CTL)')!.value)).toBeGreaterThan(0);
    expect(embed.image.url).toBe('attachment://pmc.png');
    const png = reply.attachments.find((a) => a.filename === 'pmc.png')!;
    expect(pngDimensions(png.bytes)).toEqual({ width: 720, height: 640 });
    expect(reply.flags & ephemeral).toBe(0); // a DM: a normal message
  }, 30_000);

  it('/activity autocompletes recent activities and shows metrics, charts and a View on Strava link', async () => {
    const auto = await discord.sendInteraction(
      discord.build.autocomplete({ userId: ada, name: 'activity', focused: { name: 'activity', value: '' } }),
    );
    const callback = await discord.waitForCallback(auto);
    expect(callback.type).toBe(8);
    const choices = (callback.data as { choices: { name: string; value: string }[] }).choices;
    expect(choices.length).toBe(12);
    const pick = choices[0]!;
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'activity', options: { activity: pick.value } }),
    );
    const reply = await discord.waitForReply(interaction, {
      predicate: (m) => !m.loading,
      timeoutMs: 20_000,
    });
    const embed = reply.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(pick.name).toContain(embed.title);
    expect(embed.fields.find((f) => f.name === 'Stress')?.value).toMatch(/\*\*\d+\*\* \(/);
    const link = (reply.components[0] as { components: { label: string; url: string }[] }).components[0]!;
    expect(link.label).toBe('View on Strava');
    expect(link.url).toMatch(/^https:\/\/www\.strava\.com\/activities\/\d+$/);
    const chart = reply.attachments.find((a) => a.filename === 'activity.png');
    expect(chart && pngDimensions(chart.bytes)).toEqual({ width: 720, height: 500 });
  }, 30_000);

  it('/settings ftp: a first value recomputes the whole history at once, no button, and DMs when done', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'settings', options: { ftp: 260 } }),
    );
    const reply = await discord.waitForReply(interaction, { predicate: (m) => !m.loading });
    const labels = reply.components.flatMap((row) =>
      (row as { components: { label: string }[] }).components.map((b) => b.label),
    );
    expect(labels.some((label) => label.startsWith('Recompute'))).toBe(false);
    expect(JSON.stringify(reply.embeds)).toContain('covers your whole history');
    const dm = await eventually(
      async () => discord.dms(ada).find((m) => m.content.includes('Your history is recomputed')),
      30_000,
      'recompute DM',
    );
    expect(dm.content).toContain('12 activities re-analysed');
    const ride = await h.database.db
      .selectFrom('activity_metrics')
      .select('thresholds_used')
      .where('stress_method', '=', 'power')
      .executeTakeFirstOrThrow();
    expect((ride.thresholds_used as { ftp: number }).ftp).toBe(260);
  }, 40_000);

  it('in a server, personal replies are ephemeral', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'curve', guildId, options: { days: 30 } }),
    );
    const first = await discord.waitForCallback(interaction);
    expect(first.flags & ephemeral).toBe(ephemeral);
    const reply = await discord.waitForReply(interaction, {
      predicate: (m) => !m.loading,
      timeoutMs: 20_000,
    });
    expect(reply.embeds.length + reply.content.length).toBeGreaterThan(0);
  }, 30_000);

  it('refuses an out-of-range option with a clear message', async () => {
    const interaction = await discord.sendInteraction(
      discord.build.slashCommand({ userId: ada, name: 'form', options: { days: 5000 } }),
    );
    const reply = await discord.waitForReply(interaction);
    expect(reply.content).toContain('days must be between 14 and 365');
    expect(reply.flags & ephemeral).toBe(ephemeral);
  });
});
