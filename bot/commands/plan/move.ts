import { rematchDay } from '../../../activities/match-activity.ts';
import { findPlan, movePlan } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import type { BotContext } from '../../bot-context.ts';

import { dayText, relativeDay, resolveDate } from './view.ts';

/** /plan move: a plan to another day; both days are matched again. */
export async function moveReply(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  now: Date,
  id: string,
  to: string,
): Promise<Reply> {
  const plan = await findPlan(ctx.db, athlete.id, id);
  if (!plan) return { content: 'That plan does not exist any more. Pick one from the list: `/plan list`.' };
  const date = resolveDate(to, now, athlete.timezone, today);
  if (!date.ok) return { content: date.error };
  if (plan.matched_by === 'manual') {
    return {
      content: `**${plan.title}** is done (${plan.activity_name ?? 'matched by hand'}). Unlink it first: \`/plan match activity:none\`.`,
    };
  }
  if (date.date === plan.date) return { content: `**${plan.title}** is already on ${dayText(plan.date)}.` };
  await movePlan(ctx.db, athlete.id, plan.id, date.date);
  // Both days may now pair differently with what was done on them.
  for (const day of [plan.date, date.date]) if (day <= today) await rematchDay(ctx.db, athlete.id, day);
  return {
    content: `↪️ Moved **${plan.title}** from ${dayText(plan.date)} to ${dayText(date.date, true)}${relativeDay(date.date, today)}.`,
  };
}
