import { findAthleteById } from '../../db/queries/athletes.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { IngestContext } from '../strava-services.ts';
import { disconnectStrava } from './disconnect.ts';

/**
 * Strava told us the athlete revoked access: the same as /disconnect (data deleted, PMC recomputed),
 * without calling Strava's deauthorize (there is nothing left to revoke), and the athlete is told.
 */
export async function disconnectAfterDeauthorization(ctx: IngestContext, athleteId: string): Promise<void> {
  if (!ctx.strava) return;
  const athlete = await findAthleteById(ctx.db, athleteId);
  if (!athlete) throw new Error(`athlete ${athleteId} not found`);
  const result = await disconnectStrava(
    { db: ctx.db, cipher: ctx.strava.cipher, deauthorize: ctx.strava.oauth.deauthorize, logger: ctx.logger },
    athleteId,
    { keepDerived: false, alreadyRevoked: true },
  );
  if (result.wasConnected) {
    await ctx.boss.send(
      jobNames.notify,
      { discordUserId: athlete.discord_user_id, kind: 'deauthorized', data: { kept: false } },
      { priority: priorities.live },
    );
  }
}
