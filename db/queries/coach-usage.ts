import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** The coach's daily token use per athlete (the budget is checked against it before each model call). */

/** Tokens the athlete has spent on the model on their local `date`. */
export async function tokensUsedOn(db: Db, athleteId: string, date: string): Promise<number> {
  const row = await db
    .selectFrom('coach_usage')
    .select(['prompt_tokens', 'completion_tokens'])
    .where('athlete_id', '=', athleteId)
    .where('date', '=', date)
    .executeTakeFirst();
  return row ? row.prompt_tokens + row.completion_tokens : 0;
}

export async function recordUsage(
  db: Db,
  athleteId: string,
  date: string,
  usage: { prompt: number; completion: number },
): Promise<void> {
  const prompt = Math.max(0, Math.round(usage.prompt)) || 0;
  const completion = Math.max(0, Math.round(usage.completion)) || 0;
  await db
    .insertInto('coach_usage')
    .values({
      athlete_id: athleteId,
      date,
      prompt_tokens: prompt,
      completion_tokens: completion,
      requests: 1,
    })
    .onConflict((oc) =>
      oc.columns(['athlete_id', 'date']).doUpdateSet({
        prompt_tokens: sql`coach_usage.prompt_tokens + ${prompt}`,
        completion_tokens: sql`coach_usage.completion_tokens + ${completion}`,
        requests: sql`coach_usage.requests + 1`,
      }),
    )
    .execute();
}
