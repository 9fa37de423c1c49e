import type { BotContext } from '../bot-context.ts';
import type { SlashCommand } from '../command.ts';
import connect from './connect.ts';
import disconnect from './disconnect.ts';
import help from './help.ts';
import settings from './settings.ts';
import status from './status.ts';
import sync from './sync.ts';

/** Every slash command, keyed by its name when loaded. */
export const slashCommands = [
  help,
  connect,
  disconnect,
  sync,
  status,
  settings,
] as unknown as SlashCommand<BotContext>[];
