import { listPlans, type PlanWithActivity } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import { addDays } from '../../../lib/local-time.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import { plannedStressOf } from '../../../planning/forecast-store.ts';
import type { BotContext } from '../../bot-context.ts';

import { dayText, planLine, relativeDay, truncate } from './view.ts';

/** /plan list: the coming days' plans, a line each. */
export async function listReply(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  days: number,
): Promise<Reply> {
  const plans = await listPlans(ctx.db, athlete.id, addDays(today, -1), addDays(today, days - 1));
  if (plans.length === 0) {
    return {
      content: `Nothing planned for the next ${days} days. Add a workout: \`/plan add date:tomorrow sport:Ride title:Endurance minutes:90\``,
    };
  }
  const byDay = new Map<string, PlanWithActivity[]>();
  for (const plan of plans) byDay.set(plan.date, [...(byDay.get(plan.date) ?? []), plan]);
  const lines: string[] = [];
  for (const [date, dayPlans] of byDay) {
    lines.push(`**${dayText(date)}**${relativeDay(date, today)}`);
    for (const plan of dayPlans) lines.push(planLine(plan, today, athlete.units));
  }
  const totalStress = plans.filter((p) => p.date >= today).reduce((sum, p) => sum + plannedStressOf(p), 0);
  return {
    embeds: [
      {
        title: `Your plan — next ${days} days`,
        color: 0x5865f2,
        description: truncate(lines.join('\n'), 4096),
        footer: `${Math.round(totalStress)} TSS planned from today · /plan week for the calendar`,
      },
    ],
  };
}
