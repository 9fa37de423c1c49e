import { rematchDay } from '../../../activities/match-activity.ts';
import { findPlan, insertPlan } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import { parseTarget } from '../../../planning/target.ts';
import type { BotContext } from '../../bot-context.ts';

import type { AddOptions } from './options.ts';
import { dayText, planLine, relativeDay, resolveDate, sportEmoji, stressText } from './view.ts';

/** /plan add: a planned workout on a day. */
export async function addPlan(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  now: Date,
  options: AddOptions,
): Promise<Reply> {
  const date = resolveDate(options.date, now, athlete.timezone, today);
  if (!date.ok) return { content: date.error };
  let target = null;
  if (options.target) {
    const parsed = parseTarget(options.target);
    if (!parsed.ok) return { content: parsed.error };
    target = parsed.target;
  }
  const plan = await insertPlan(ctx.db, athlete.id, {
    date: date.date,
    sport: options.sport,
    title: options.title,
    description: options.description ?? null,
    plannedDurationS: options.minutes !== undefined ? options.minutes * 60 : null,
    plannedStress: options.stress ?? null,
    target,
  });
  // A plan for today or a past day may already have its activity.
  if (plan.date <= today) await rematchDay(ctx.db, athlete.id, plan.date);
  const stored = await findPlan(ctx.db, athlete.id, plan.id);
  return {
    embeds: [
      {
        title: `Planned: ${plan.title}`,
        color: 0x5865f2,
        description: stored ? planLine(stored, today, athlete.units) : undefined,
        fields: [
          { name: 'Day', value: `${dayText(plan.date, true)}${relativeDay(plan.date, today)}`, inline: true },
          { name: 'Sport', value: `${sportEmoji(plan.sport)} ${plan.sport}`, inline: true },
          { name: 'Stress', value: stressText(plan), inline: true },
          ...(plan.description ? [{ name: 'Details', value: plan.description.slice(0, 1024) }] : []),
        ],
        footer: 'See the week: /plan week — change it: /plan move, /plan delete',
      },
    ],
  };
}
