import { matchPlanByHand, releaseHandMatch, rematchDay } from '../../../activities/match-activity.ts';
import { hasActivities, ownsActivity } from '../../../db/queries/activities.ts';
import { findPlan } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import { localDate } from '../../../lib/local-time.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import type { BotContext } from '../../bot-context.ts';

import { dayText, planLine } from './view.ts';

/** /plan match: which activity fulfilled a plan, chosen by hand (or none, or automatic again). */
export async function matchReply(
  ctx: BotContext,
  athlete: AthleteRow,
  id: string,
  activity: string,
): Promise<Reply> {
  const plan = await findPlan(ctx.db, athlete.id, id);
  if (!plan) return { content: 'That plan does not exist any more. Pick one from the list.' };
  if (activity === 'auto') {
    // Drop the hand-made link, then let the day be matched by sport, stress and duration again.
    await releaseHandMatch(ctx.db, plan.id);
    await rematchDay(ctx.db, athlete.id, plan.date);
  } else if (activity === 'none') {
    await matchPlanByHand(ctx.db, athlete.id, plan.id, null);
  } else {
    if (!(await ownsActivity(ctx.db, athlete.id, activity))) {
      return {
        content: (await hasActivities(ctx.db, athlete.id))
          ? 'That activity is not one of yours. Pick one from the list.'
          : 'No activities yet. Connect Strava first: /connect',
      };
    }
    await matchPlanByHand(ctx.db, athlete.id, plan.id, activity);
  }
  const after = await findPlan(ctx.db, athlete.id, plan.id);
  if (!after) return { content: 'That plan does not exist any more.' };
  const today = localDate(ctx.now(), athlete.timezone);
  if (after.activity_id === null) {
    return {
      content: `**${after.title}** (${dayText(after.date)}) is not linked to any activity${activity === 'auto' ? ' — nothing that day fits its sport' : ''}.\n${planLine(after, today, athlete.units)}`,
    };
  }
  return {
    content: `✅ **${after.title}** (${dayText(after.date)}) is fulfilled by **${after.activity_name || after.activity_sport}**${after.matched_by === 'manual' ? ' (your choice)' : ' (matched automatically)'}.\n${planLine(after, today, athlete.units)}`,
  };
}
