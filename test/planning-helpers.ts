import type { PgBoss } from 'pg-boss';
import { buildAppContext } from '../app/build-context.ts';
import type { BotContext } from '../bot/bot-context.ts';
import type { Invoker } from '../bot/command.ts';
import type { Db } from '../db/connect.ts';
import { ensureAthlete } from '../db/queries/athletes.ts';
import { toJson } from '../db/tables/json.ts';
import { loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';

/** Test helper: an athlete with a Discord id built from `n`, in `timezone`. */
export async function createAthlete(db: Db, n: number, timezone = 'UTC') {
  const athlete = await ensureAthlete(db, `1000000000000000${String(n).padStart(2, '0')}`);
  await db.updateTable('athletes').set({ timezone }).where('id', '=', athlete.id).execute();
  return { ...athlete, timezone };
}

/** Test helper: a stored activity with its metrics, as the pipeline leaves them. */
export async function createActivity(
  db: Db,
  athleteId: string,
  activity: { date: string; sport: string; stress: number; movingS: number; name?: string },
): Promise<string> {
  const row = await db
    .insertInto('activities')
    .values({
      athlete_id: athleteId,
      source: 'file_upload',
      name: activity.name ?? `${activity.sport} on ${activity.date}`,
      sport_type: activity.sport,
      start_date: new Date(`${activity.date}T08:00:00Z`),
      start_date_local: `${activity.date}T09:00:00`,
      local_date: activity.date,
      moving_time_s: activity.movingS,
      elapsed_time_s: activity.movingS,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('activity_metrics')
    .values({
      activity_id: row.id,
      athlete_id: athleteId,
      stress: activity.stress,
      stress_method: 'estimated',
      duration_s: activity.movingS,
      moving_s: activity.movingS,
      metrics: toJson({}),
      thresholds_used: toJson({}),
    })
    .execute();
  return row.id;
}

/**
 * Test helper: the bot's real context (config from an empty environment, in-process charts) on a test
 * database, with a fixed clock. Planning commands never queue jobs, so no pg-boss is started.
 */
export function commandContext(db: Db, now: Date): BotContext {
  return buildAppContext({
    config: loadConfig({}),
    logger: createLogger({ level: 'silent' }),
    db,
    boss: null as unknown as PgBoss,
    now: () => now,
  });
}

export function invokerFor(userId: string): Invoker {
  return { userId, username: 'athlete', inGuild: false, interactionId: '1' };
}

export const noProgress = async (): Promise<void> => {};
