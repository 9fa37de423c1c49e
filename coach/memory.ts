import type { Db } from '../db/connect.ts';
import {
  allTurns,
  insertCoachMessages,
  latestSummary,
  lockCoachMemory,
  recentTurns,
  replaceSummary,
} from '../db/queries/coach-messages.ts';
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
  const rows = await recentTurns(db, athleteId, {
    limit: memoryLimits.recentMessages,
    firewall: options.firewall,
  });
  const summary = await latestSummary(db, athleteId);
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
  await insertCoachMessages(db, [
    { athlete_id: athleteId, role: 'user', content: turn.question, mode: null, tool_data: null },
    {
      athlete_id: athleteId,
      role: 'assistant',
      content: turn.answer,
      mode: turn.mode,
      strava_api_derived: turn.stravaApiDerived,
      tool_data: toJson(turn.toolData),
    },
  ]);
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
    await lockCoachMemory(trx, athleteId);
    const rows = await allTurns(trx, athleteId);
    if (rows.length < memoryLimits.foldAt) return;
    const old = rows.slice(0, rows.length - memoryLimits.recentMessages);
    const previous = await latestSummary(trx, athleteId);
    const lines = previous ? previous.content.split('\n') : [];
    for (const row of old) {
      const day = row.created_at.toISOString().slice(0, 10);
      if (row.role === 'user') lines.push(`${day} asked: ${clip(row.content, 160)}`);
      else if (!row.strava_api_derived)
        lines.push(`${day} coach said: ${clip(firstSentence(row.content), 200)}`);
    }
    while (lines.join('\n').length > memoryLimits.summaryChars && lines.length > 1) lines.shift();
    await replaceSummary(
      trx,
      athleteId,
      lines.join('\n'),
      old.map((row) => row.id),
    );
  });
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return match ? match[1]! : text;
}
