import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { CoachMessageRow, NewCoachMessageRow } from '../tables/coach.ts';

/** The coach's conversation memory: verbatim turns (user, assistant) and one folded summary per athlete. */

type Turn = Pick<CoachMessageRow, 'id' | 'role' | 'content' | 'created_at' | 'strava_api_derived'>;

/** The athlete's latest `limit` verbatim turns, newest first; under the firewall only those free of API data. */
export function recentTurns(
  db: Db,
  athleteId: string,
  options: { limit: number; firewall: boolean },
): Promise<Omit<Turn, 'id'>[]> {
  let q = db
    .selectFrom('coach_messages')
    .select(['role', 'content', 'created_at', 'strava_api_derived'])
    .where('athlete_id', '=', athleteId)
    .where('role', 'in', ['user', 'assistant']);
  if (options.firewall) q = q.where('strava_api_derived', '=', false);
  return q.orderBy('id', 'desc').limit(options.limit).execute();
}

/** Every verbatim turn of the athlete, oldest first. */
export function allTurns(db: Db, athleteId: string): Promise<Turn[]> {
  return db
    .selectFrom('coach_messages')
    .select(['id', 'role', 'content', 'created_at', 'strava_api_derived'])
    .where('athlete_id', '=', athleteId)
    .where('role', 'in', ['user', 'assistant'])
    .orderBy('id', 'asc')
    .execute();
}

/** The athlete's current summary of older turns, if any. */
export function latestSummary(
  db: Db,
  athleteId: string,
): Promise<Pick<CoachMessageRow, 'id' | 'content'> | undefined> {
  return db
    .selectFrom('coach_messages')
    .select(['id', 'content'])
    .where('athlete_id', '=', athleteId)
    .where('role', '=', 'summary')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function insertCoachMessages(db: Db, messages: NewCoachMessageRow[]): Promise<void> {
  await db.insertInto('coach_messages').values(messages).execute();
}

/** One fold of the athlete's memory at a time: held until the caller's transaction ends. */
export async function lockCoachMemory(trx: Db, athleteId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('coach_memory'), ${Number(athleteId) % 2_147_483_647})`.execute(
    trx,
  );
}

/** Puts `summary` in place of the athlete's summary and deletes the turns it folded in. */
export async function replaceSummary(
  db: Db,
  athleteId: string,
  summary: string,
  foldedIds: string[],
): Promise<void> {
  await db
    .deleteFrom('coach_messages')
    .where('athlete_id', '=', athleteId)
    .where('role', '=', 'summary')
    .execute();
  await insertCoachMessages(db, [
    { athlete_id: athleteId, role: 'summary', content: summary, mode: null, tool_data: null },
  ]);
  await db.deleteFrom('coach_messages').where('id', 'in', foldedIds).execute();
}

/** Deletes the athlete's whole conversation; returns how many messages went. */
export async function deleteConversation(db: Db, athleteId: string): Promise<number> {
  const result = await db.deleteFrom('coach_messages').where('athlete_id', '=', athleteId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
