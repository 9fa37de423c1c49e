import type { Db } from '../connect.ts';
import type { NewDailyLoadRow } from '../tables/daily-load.ts';

/** Puts `rows` in place of the athlete's whole daily load (the coach's fixtures rebuild it at once). */
export async function replaceDailyLoad(db: Db, athleteId: string, rows: NewDailyLoadRow[]): Promise<void> {
  await db.deleteFrom('daily_load').where('athlete_id', '=', athleteId).execute();
  if (rows.length > 0) await db.insertInto('daily_load').values(rows).execute();
}
