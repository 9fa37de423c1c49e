import { rematchDay } from '../../../activities/match-activity.ts';
import { deletePlan, findPlan } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import type { BotContext } from '../../bot-context.ts';

import { dayText } from './view.ts';

/** /plan delete. */
export async function deleteReply(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  id: string,
): Promise<Reply> {
  const plan = await findPlan(ctx.db, athlete.id, id);
  if (!plan || !(await deletePlan(ctx.db, athlete.id, id))) {
    return { content: 'That plan does not exist any more. See your plans: `/plan list`.' };
  }
  // The activity it held is free again: another plan of that day may be the one it fulfilled.
  if (plan.activity_id !== null && plan.date <= today) await rematchDay(ctx.db, athlete.id, plan.date);
  return { content: `🗑️ Deleted **${plan.title}** (${dayText(plan.date)}).` };
}
