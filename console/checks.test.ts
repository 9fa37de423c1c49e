import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../app/context.ts';
import { loadConfig } from '../lib/config.ts';
import { type DiscordFake, startDiscordFake } from '../test/fakes/discord/discord-fake.ts';
import { type OpenAiFake, startOpenAiFake } from '../test/fakes/openai/openai-fake.ts';
import { featureStatuses } from './checks.ts';

/** The live checks report failures plainly, against the fakes, without a secret in any line. */
describe('feature checks', () => {
  let discord: DiscordFake;
  let openai: OpenAiFake;
  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'the-real-bot-token', quiet: true });
    openai = await startOpenAiFake({ models: ['llama3.1'] });
  });
  afterAll(async () => {
    await discord?.close();
    await openai?.stop();
  });

  const statusesFor = (env: Record<string, string>) =>
    featureStatuses({ config: loadConfig(env), strava: null } as unknown as AppContext);

  it('a refused Discord token, a model the endpoint lacks, a local PUBLIC_URL', async () => {
    const statuses = await statusesFor({
      DISCORD_TOKEN: 'a-wrong-bot-token',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
    });
    const by = (name: string) => statuses.find((s) => s.name === name)!;
    expect(by('Discord bot').checks[0]).toMatchObject({
      label: 'Token',
      state: 'fail',
      detail: 'Discord answered 401',
    });
    expect(by('AI coach').checks[0]).toMatchObject({
      state: 'fail',
      detail: 'the endpoint answers but does not list gpt-4o-mini (it lists llama3.1)',
    });
    expect(by('Strava').on).toBe(false);
    // localhost cannot be reached by Strava, and from here it cannot be told otherwise: not checked.
    expect(by('Strava').checks.find((c) => c.label === 'PUBLIC_URL')).toMatchObject({
      state: 'unchecked',
      detail: 'http://localhost:3000 is a local address: Strava cannot reach it (not checked)',
    });
    expect(JSON.stringify(statuses)).not.toContain('a-wrong-bot-token');
    expect(JSON.stringify(statuses)).not.toContain(openai.apiKey);
  });

  it('commands not registered yet are named, with the command that registers them', async () => {
    const statuses = await statusesFor({
      DISCORD_TOKEN: 'the-real-bot-token',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
    });
    const checks = statuses.find((s) => s.name === 'Discord bot')!.checks;
    expect(checks[0]).toMatchObject({ label: 'Token', state: 'ok' });
    expect(checks[1]!.state).toBe('fail');
    expect(checks[1]!.detail).toContain('/form');
    expect(checks[1]!.detail).toContain('cli discord-register');
    const off = statuses.filter((s) => !s.on).map((s) => s.name);
    expect(off).toEqual(['Strava', 'AI coach', 'QuickChart', 'Stream retention', 'AI firewall']);
  });
});
