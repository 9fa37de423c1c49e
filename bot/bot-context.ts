import type { AppContext } from '../app/context.ts';

/** What every slash command is handed. */
export type BotContext = AppContext;
