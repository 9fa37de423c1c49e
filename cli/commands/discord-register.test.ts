import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommands } from '../../bot/commands/index.ts';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';
import { type DiscordFake, startDiscordFake } from '../../test/fakes/discord/discord-fake.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const guild = '760000000000000001';

describe('cli discord-register', () => {
  let discord: DiscordFake;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'register-token', quiet: true });
    database = await createTestDatabase();
    env = {
      ...process.env,
      DATABASE_URL: database.url,
      DISCORD_TOKEN: 'register-token',
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await discord?.close();
    await database?.drop();
  });

  const cli = (args: string[], environment = env) =>
    run(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'discord-register', ...args], {
      cwd: repo,
      env: environment,
    });

  it('registers every command in one guild, then globally, as Discord receives them', async () => {
    const inGuild = await cli(['--guild', guild]);
    expect(JSON.parse(inGuild.stdout)).toEqual({ registered: slashCommands.length, scope: `guild ${guild}` });
    const names = (discord.commands.guilds.get(guild) ?? []).map((c) => c.name);
    expect(names.sort()).toEqual(slashCommands.map((c) => c.data.name).sort());
    const global = await cli([]);
    expect(JSON.parse(global.stdout)).toEqual({ registered: slashCommands.length, scope: 'global' });
    expect(discord.commands.global).toHaveLength(slashCommands.length);
  }, 60_000);

  it('refuses a malformed guild id with usage (exit 2) and a missing token with the variable to set (exit 1)', async () => {
    const usage = await cli(['--guild', 'abc']).catch((error: { code: number; stderr: string }) => error);
    expect(usage).toMatchObject({ code: 2 });
    expect((usage as { stderr: string }).stderr).toContain('--guild must be a Discord server id');
    const { DISCORD_TOKEN: _token, ...withoutToken } = env;
    const missing = await cli([], withoutToken).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toContain('DISCORD_TOKEN');
  }, 60_000);
});
