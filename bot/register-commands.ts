import { createHash } from 'node:crypto';
import { REST, Routes } from 'discord.js';
import type { Db } from '../db/connect.ts';
import { getSetting, putSetting } from '../db/queries/app-settings.ts';
import type { SlashCommand } from './command.ts';

/** Registers the command set (PUT replaces it whole): in one guild (instant) or globally. */
export async function registerCommands(
  options: { token: string; appId: string; apiUrl: string; guildId: string | null },
  commands: SlashCommand<unknown>[],
): Promise<number> {
  const rest = new REST({ api: options.apiUrl }).setToken(options.token);
  const body = commands.map((command) => command.data);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.appId, options.guildId)
    : Routes.applicationCommands(options.appId);
  const result = (await rest.put(route, { body })) as unknown[];
  return result.length;
}

/** At start: registers only when the definitions changed since the last registration (Discord caps PUTs per day). */
export async function syncCommands(
  db: Db,
  options: { token: string; appId: string; apiUrl: string; guildId: string | null },
  commands: SlashCommand<unknown>[],
): Promise<'registered' | 'unchanged'> {
  const hash = createHash('sha256')
    .update(JSON.stringify(commands.map((command) => command.data)))
    .digest('hex');
  const key = `discord.commands_hash.${options.appId}.${options.guildId ?? 'global'}`;
  if ((await getSetting<string>(db, key)) === hash) return 'unchanged';
  await registerCommands(options, commands);
  await putSetting(db, key, hash);
  return 'registered';
}
