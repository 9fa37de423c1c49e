import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { toJson } from '../db/tables/json.ts';

/** Conversation memory: the recent turns verbatim, older ones folded into one short summary row. */
const memoryLimits = {
  /** Messages (user + assistant) kept verbatim; older ones are folded into the summary. */
  recentMessages: 10,
  /** Fold once this many verbatim messages have piled up. */
  foldAt: 16,
  /** Characters of the summary (oldest lines go first). */
  summaryChars: 1500,
} as const;

export interface ConversationMemory {
  summary: string | null;
  turns: { role: 'user' | 'assistant'; at: string; text: string }[];
}

/**
 * The athlete's memory as the model may see it. Under the AI firewall, answers that may carry Strava API
 * numbers (rule-based answers, answers given while Strava data was included) are left out.
 */
export async function loadMemory(
  db: Db,
  athleteId: string,
  options: { firewall: boolean },
): Promise<ConversationMemory> {
  let q = db
    .selectFrom('coach_messages')
    .select(['role', 'content', 'created_at', 'strava_api_derived'])
    .where('athlete_id', '=', athleteId)
    .where('role', 'in', ['user', 'assistant']);
  if (options.firewall) q = q.where('strava_api_derived', '=', false);
  const rows = await q.orderBy('id', 'desc').limit(memoryLimits.recentMessages).execute();
  const summary = await db
    .selectFrom('coach_messages')
    .select('content')
    .where('athlete_id', '=', athleteId)
    .where('role', '=', 'summary')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return {
    summary: summary?.content ?? null,
    turns: rows.reverse().map((row) => ({
      role: row.role as 'user' | 'assistant',
      at: row.created_at.toISOString().slice(0, 16).replace('T', ' '),
      text: row.content,
    })),
  };
}

export async function saveTurn(
  db: Db,
  athleteId: string,
  turn: {
    question: string;
    answer: string;
    mode: 'ai' | 'rule-based';
    stravaApiDerived: boolean;
    toolData: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('coach_messages')
    .values([
      { athlete_id: athleteId, role: 'user', content: turn.question, mode: null, tool_data: null },
      {
        athlete_id: athleteId,
        role: 'assistant',
        content: turn.answer,
        mode: turn.mode,
        strava_api_derived: turn.stravaApiDerived,
        tool_data: toJson(turn.toolData),
      },
    ])
    .execute();
  await foldOldTurns(db, athleteId);
}

/**
 * Folds the verbatim messages beyond the recent ones into the summary. The summary keeps what was asked
 * and the first sentence of answers that carry no Strava API data, so it is safe for the model under the
 * firewall; it is built without the model (no tokens, nothing invented).
 */
async function foldOldTurns(db: Db, athleteId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // One fold at a time per athlete.
    await sql`SELECT pg_advisory_xact_lock(hashtext('coach_memory'), ${Number(athleteId) % 2_147_483_647})`.execute(
      trx,
    );
    const rows = await trx
      .selectFrom('coach_messages')
      .select(['id', 'role', 'content', 'created_at', 'strava_api_derived'])
      .where('athlete_id', '=', athleteId)
      .where('role', 'in', ['user', 'assistant'])
      .orderBy('id', 'asc')
      .execute();
    if (rows.length < memoryLimits.foldAt) return;
    const old = rows.slice(0, rows.length - memoryLimits.recentMessages);
    const previous = await trx
      .selectFrom('coach_messages')
      .select(['id', 'content'])
      .where('athlete_id', '=', athleteId)
      .where('role', '=', 'summary')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const lines = previous ? previous.content.split('\n') : [];
    for (const row of old) {
      const day = row.created_at.toISOString().slice(0, 10);
      if (row.role === 'user') lines.push(`${day} asked: ${clip(row.content, 160)}`);
      else if (!row.strava_api_derived)
        lines.push(`${day} coach said: ${clip(firstSentence(row.content), 200)}`);
    }
    while (lines.join('\n').length > memoryLimits.summaryChars && lines.length > 1) lines.shift();
    await trx
      .deleteFrom('coach_messages')
      .where('athlete_id', '=', athleteId)
      .where('role', '=', 'summary')
      .execute();
    await trx
      .insertInto('coach_messages')
      .values({
        athlete_id: athleteId,
        role: 'summary',
        content: lines.join('\n'),
        mode: null,
        tool_data: null,
      })
      .execute();
    await trx
      .deleteFrom('coach_messages')
      .where(
        'id',
        'in',
        old.map((row) => row.id),
      )
      .execute();
  });
}

/** Forgets the whole conversation (the token usage stays: the daily budget is not reset by forgetting). */
export async function resetMemory(db: Db, athleteId: string): Promise<number> {
  const result = await db.deleteFrom('coach_messages').where('athlete_id', '=', athleteId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return match ? match[1]! : text;
}
