import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { compliancePercent } from '../../charts/plan-week-chart.ts';
import { sportColors, weeklyVolumeChartConfig } from '../../charts/weekly-volume-chart.ts';
import { listPlans } from '../../db/queries/planning.ts';
import { weekActivities } from '../../db/queries/week.ts';
import { num } from '../../lib/format.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import { formatDuration } from '../../lib/pace.ts';
import { distanceText, elevationText, type Units } from '../../lib/presentation/units.ts';
import { parseDateInZone } from '../../planning/date-parse.ts';
import { plannedStressOf } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { requireAthlete } from '../require-athlete.ts';
import {
  fitnessBySport,
  type SportTotals,
  sportLabels,
  weeklyHours,
  weekSummary,
} from '../views/week-view.ts';
import { dayText } from './plan/view.ts';

const Options = z.object({ date: z.string().trim().max(40).optional() });

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('week')
    .setDescription('A week’s totals per sport against the 4 weeks before, the plan, and 12 weeks by sport')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addStringOption((o) =>
      o
        .setName('date')
        .setDescription('Any day of the week: "last week", "2026-11-23", "yesterday" (default this week)')
        .setMaxLength(40),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const now = ctx.now();
    const today = localDate(now, athlete.timezone);
    const text = options.date?.toLowerCase() ?? '';
    const parsed =
      text === 'last week' || text === 'last'
        ? { ok: true as const, date: addDays(today, -7) }
        : parseDateInZone(options.date ?? '', now, athlete.timezone);
    if (!parsed.ok) return { content: parsed.error };
    if (parsed.date > today)
      return { content: `${dayText(parsed.date, true)} is ahead; a week is one that has begun.` };
    const activities = await weekActivities(ctx.db, athlete.id, addDays(parsed.date, 6));
    const summary = weekSummary(activities, parsed.date);
    const plans = await listPlans(ctx.db, athlete.id, summary.monday, summary.sunday);
    const title = `Week of ${dayText(summary.monday)} – ${dayText(summary.sunday, true)}`;
    if (summary.week.count === 0 && summary.average.count === 0 && plans.length === 0) {
      return {
        content: `${title}: no workouts this week or in the 4 before it. Import some with \`/sync\` or \`/upload\`.`,
      };
    }
    const units = athlete.units as Units;
    const lines = summary.sports
      .filter((s) => s.week.count > 0 || s.average.count > 0)
      .map(
        (s) =>
          `**${sportLabels[s.family]}** — ${totalsText(s.week, units)}\n  4-week average: ${totalsText(s.average, units)}`,
      );
    const fields = [
      {
        name: 'Total',
        value: `${totalsText(summary.week, units)}\n4-week average: ${totalsText(summary.average, units)}`,
      },
      { name: 'Plan', value: planText(plans, today) },
    ];
    const lastDay = [summary.sunday, today].sort()[0]!;
    const fitness = fitnessBySport(activities, lastDay, {
      ctlDays: athlete.ctl_days,
      atlDays: athlete.atl_days,
    });
    const fitnessParts = (['ride', 'run', 'swim'] as const)
      .filter((family) => fitness[family] !== undefined)
      .map((family) => `${sportLabels[family]} ${num(fitness[family]!, 1)}`);
    if (fitnessParts.length > 0)
      fields.push({ name: `Fitness (CTL) per sport, ${dayText(lastDay)}`, value: fitnessParts.join(' · ') });
    const volume = weeklyHours(activities, parsed.date);
    const png = await ctx.charts.renderSpec(
      weeklyVolumeChartConfig({
        weeks: volume.weeks,
        highlight: summary.monday,
        series: Object.entries(volume.hours).map(([family, hours]) => ({
          label: sportLabels[family as keyof typeof sportLabels].replace(/^\S+ /, ''),
          color: sportColors[family] ?? sportColors.other!,
          hours,
        })),
      }),
    );
    return {
      embeds: [
        {
          title,
          color: 0x4ea8ff,
          description: lines.length > 0 ? lines.join('\n') : 'No workouts this week yet.',
          fields,
          image: 'attachment://week.png',
          footer: 'Another week: /week date:last week · per day against the plan: /plan week',
        },
      ],
      files: [{ name: 'week.png', data: png, description: 'Hours per week by sport, last 12 weeks' }],
    };
  },
});

/** "5h 30m · 150.20 km · 1200 m · 350 TSS · 4 workouts" (a sport not done at all: "none"). */
function totalsText(t: SportTotals, units: Units): string {
  if (t.count === 0) return 'none';
  const parts = [formatDuration(t.timeS)];
  if (t.distanceM > 0) parts.push(distanceText(t.distanceM, units));
  if (t.elevationM > 0) parts.push(elevationText(t.elevationM, units));
  parts.push(`${Math.round(t.stress)} TSS`);
  const count = Number.isInteger(t.count) ? String(t.count) : num(t.count, 1);
  parts.push(`${count} ${t.count === 1 ? 'workout' : 'workouts'}`);
  return parts.join(' · ');
}

/** Plan compliance for the week so far: workouts done of those due, and stress done against planned. */
function planText(
  plans: {
    date: string;
    activity_id: string | null;
    activity_stress: number | null;
    planned_stress: number | null;
    planned_duration_s: number | null;
    sport: string;
  }[],
  today: string,
): string {
  if (plans.length === 0) return 'Nothing planned this week (`/plan add`).';
  const due = plans.filter((p) => p.date <= today);
  const done = due.filter((p) => p.activity_id !== null);
  const planned = due.reduce((sum, p) => sum + plannedStressOf(p), 0);
  const completed = done.reduce((sum, p) => sum + (p.activity_stress ?? 0), 0);
  const percent = compliancePercent(planned, completed);
  const ahead = plans.length - due.length;
  return [
    `${done.length} of ${due.length} planned ${due.length === 1 ? 'workout' : 'workouts'} done so far`,
    percent !== null ? `${Math.round(completed)} of ${Math.round(planned)} planned TSS (${percent} %)` : null,
    ahead > 0 ? `${ahead} still ahead` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}
