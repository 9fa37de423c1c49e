import { createHash } from 'node:crypto';
import { REST, Routes } from 'discord.js';
import type { Db } from '../db/connect.ts';
import { getSetting, putSetting } from '../db/queries/app-settings.ts';
import type { SlashCommand } from './command.ts';

/** Registers the command set (PUT replaces it whole): in one guild (instant) or globally. */
export async function registerCommands(
  options: RegisterOptions,
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

type RegisterOptions = { token: string; appId: string; apiUrl: string; guildId: string | null };

function commandsHash(commands: SlashCommand<unknown>[]): string {
  return createHash('sha256')
    .update(JSON.stringify(commands.map((command) => command.data)))
    .digest('hex');
}

const hashKey = (options: RegisterOptions) =>
  `discord.commands_hash.${options.appId}.${options.guildId ?? 'global'}`;

/** Registers now and remembers what was registered (the operator's `cli discord-register`). */
export async function registerAndRecord(
  db: Db,
  options: RegisterOptions,
  commands: SlashCommand<unknown>[],
): Promise<number> {
  const count = await registerCommands(options, commands);
  await putSetting(db, hashKey(options), commandsHash(commands));
  return count;
}

/** At start: registers only when the definitions changed since the last registration (Discord caps PUTs per day). */
export async function syncCommands(
  db: Db,
  options: RegisterOptions,
  commands: SlashCommand<unknown>[],
): Promise<'registered' | 'unchanged'> {
  if ((await getSetting<string>(db, hashKey(options))) === commandsHash(commands)) return 'unchanged';
  await registerAndRecord(db, options, commands);
  return 'registered';
}
