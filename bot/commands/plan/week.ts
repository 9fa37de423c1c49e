import { compliancePercent, type PlanWeekDay, planWeekChartConfig } from '../../../charts/plan-week-chart.ts';
import { doneStressByDay, listPlans } from '../../../db/queries/planning.ts';
import type { AthleteRow } from '../../../db/tables/athletes.ts';
import { addDays } from '../../../lib/local-time.ts';
import type { Reply } from '../../../lib/presentation/reply.ts';
import { plannedStressOf } from '../../../planning/forecast-store.ts';
import { planStatusOn, statusEmoji } from '../../../planning/plan-status.ts';
import type { BotContext } from '../../bot-context.ts';

import { dayText } from './view.ts';

/** /plan week (and its ◀ ▶ buttons): the week's calendar image and a line per day. */
/** The week from `monday`: the calendar image and a line per day. */
export async function weekReply(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  monday: string,
): Promise<Reply> {
  const sunday = addDays(monday, 6);
  const [plans, done] = await Promise.all([
    listPlans(ctx.db, athlete.id, monday, sunday),
    doneStressByDay(ctx.db, athlete.id, monday, sunday),
  ]);
  const doneOn = new Map(done.map((d) => [d.date, d.stress]));
  const days: PlanWeekDay[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 7; i++) {
    const date = addDays(monday, i);
    const dayPlans = plans.filter((p) => p.date === date);
    const planned = dayPlans.length > 0 ? dayPlans.reduce((sum, p) => sum + plannedStressOf(p), 0) : null;
    const completed = doneOn.get(date) ?? (date <= today ? 0 : null);
    days.push({
      date,
      plannedTitle: dayPlans.map((p) => p.title).join(' + ') || null,
      plannedStress: planned,
      completedStress: completed,
    });
    // Today is not over: a percent only once something was done.
    const percent =
      date < today || (date === today && (completed ?? 0) > 0) ? compliancePercent(planned, completed) : null;
    const head = `**${dayText(date)}**`;
    const plannedText =
      dayPlans.length > 0
        ? dayPlans.map((p) => `${statusEmoji[planStatusOn(p, today)]} ${p.title}`).join(', ')
        : 'rest';
    const doneText = (completed ?? 0) > 0 ? ` · done ${Math.round(completed!)} TSS` : '';
    lines.push(
      `${head} ${plannedText}${planned !== null ? ` · ${Math.round(planned)} planned` : ''}${doneText}${percent !== null ? ` · ${percent}%` : ''}`,
    );
  }
  const counted = days.filter((d) => d.date <= today);
  const plannedSoFar = counted.reduce((sum, d) => sum + (d.plannedStress ?? 0), 0);
  const doneSoFar = counted.reduce((sum, d) => sum + (d.completedStress ?? 0), 0);
  const weekPercent = compliancePercent(plannedSoFar, doneSoFar);
  const png = await ctx.charts.renderSpec(planWeekChartConfig({ days, today }));
  return {
    embeds: [
      {
        title: `Week of ${dayText(monday, true)}`,
        color: 0x5865f2,
        description: lines.join('\n'),
        fields: [
          {
            name: 'Compliance',
            value:
              weekPercent !== null
                ? `${weekPercent}% of the planned stress so far (${Math.round(doneSoFar)} of ${Math.round(plannedSoFar)} TSS)`
                : 'Nothing was planned up to today.',
          },
        ],
        image: 'attachment://plan-week.png',
      },
    ],
    files: [{ name: 'plan-week.png', data: png, description: 'Planned and completed stress per day' }],
    components: [
      [
        {
          kind: 'action',
          label: '◀ Previous week',
          customId: `plan:week:${addDays(monday, -7)}`,
          style: 'secondary',
        },
        {
          kind: 'action',
          label: 'Next week ▶',
          customId: `plan:week:${addDays(monday, 7)}`,
          style: 'secondary',
        },
      ],
    ],
  };
}
