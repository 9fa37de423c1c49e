import { findAthleteByDiscordId } from '../db/queries/athletes.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { AppError } from '../lib/errors.ts';
import type { BotContext } from './bot-context.ts';

/** The invoking athlete, or the friendly "connect first" answer every data command gives strangers. */
export async function requireAthlete(ctx: BotContext, discordUserId: string): Promise<AthleteRow> {
  const athlete = await findAthleteByDiscordId(ctx.db, discordUserId);
  if (!athlete) {
    throw new AppError('not_connected', {
      message: `no athlete for discord user ${discordUserId}`,
      userMessage: 'Connect Strava first: /connect',
    });
  }
  return athlete;
}
