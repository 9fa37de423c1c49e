import type { BotContext } from '../bot/bot-context.ts';

/**
 * What every process part (web routes, job handlers, bot commands) is handed: built once per process.
 * Declared by the edges that use it (bot/bot-context.ts, ingest/strava-services.ts), so nothing below
 * app/ imports app/.
 */
export type AppContext = BotContext;
