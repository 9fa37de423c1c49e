import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { pmcChartConfig } from '../../charts/pmc-chart.ts';
import { ensureAthlete, findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { loadSeries } from '../../db/queries/daily-load.ts';
import { deleteGoal, setForecastUnplanned, upcomingGoals, upsertGoal } from '../../db/queries/planning.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { num, signed } from '../../lib/format.ts';
import { addDays, daysBetween, localDate } from '../../lib/local-time.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import { formReading } from '../../metrics/pmc.ts';
import { dateHelp, parseDateInZone } from '../../planning/date-parse.ts';
import { fitnessFall, fitnessFallText } from '../../planning/forecast.ts';
import { forecastBasis, forecastForAthlete, recentAverageDays } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { dayText } from './plan/view.ts';

/** Plausible race-day form: beyond these a target is a typo. */
const targetTsbRange = { min: -50, max: 50 } as const;
/** Days of history the chart shows before the forecast. */
const historyDays = 42;

const tsbMessage = `target_tsb must be between ${targetTsbRange.min} and ${targetTsbRange.max} (race form is usually +5 to +15)`;

const Options = z.discriminatedUnion('subcommand', [
  z.object({
    subcommand: z.literal('set'),
    date: z.string({ error: 'date is required' }).trim().min(1, `date is required. ${dateHelp}`).max(40),
    name: z
      .string({ error: 'name is required' })
      .trim()
      .min(1, 'name cannot be empty')
      .max(100, 'name must be at most 100 characters'),
    target_tsb: z.number().min(targetTsbRange.min, tsbMessage).max(targetTsbRange.max, tsbMessage).optional(),
    unplanned: z
      .enum(['zero', 'recent_average'], { error: 'unplanned must be zero or recent_average' })
      .optional(),
  }),
  z.object({
    subcommand: z.literal('view'),
    unplanned: z
      .enum(['zero', 'recent_average'], { error: 'unplanned must be zero or recent_average' })
      .optional(),
  }),
  z.object({
    subcommand: z.literal('clear'),
    goal: z
      .string()
      .regex(/^\d{1,18}$/, 'pick a goal from the list')
      .optional(),
  }),
]);

const unplannedChoices = [
  { name: 'count 0 (rest)', value: 'zero' },
  { name: `my average of the last ${recentAverageDays} days`, value: 'recent_average' },
];

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('goal')
    .setDescription('Your race goal and the form forecast to it')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Set a race goal (a second goal on the same day replaces it)')
        .addStringOption((o) =>
          o
            .setName('date')
            .setDescription('Race day: 2026-12-05, sat, next sun …')
            .setRequired(true)
            .setMaxLength(40),
        )
        .addStringOption((o) =>
          o.setName('name').setDescription('e.g. Club 10k').setRequired(true).setMaxLength(100),
        )
        .addNumberOption((o) =>
          o
            .setName('target_tsb')
            .setDescription('Form you want on race day (usually +5 to +15)')
            .setMinValue(targetTsbRange.min)
            .setMaxValue(targetTsbRange.max),
        )
        .addStringOption((o) =>
          o
            .setName('unplanned')
            .setDescription('How days without a plan count in the forecast')
            .addChoices(...unplannedChoices),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('view')
        .setDescription('The forecast to your next goal')
        .addStringOption((o) =>
          o
            .setName('unplanned')
            .setDescription('How days without a plan count in the forecast')
            .addChoices(...unplannedChoices),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('clear')
        .setDescription('Remove a goal (default: the next one)')
        .addStringOption((o) => o.setName('goal').setDescription('The goal').setAutocomplete(true)),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    let athlete = await ensureAthlete(ctx.db, invoker.userId);
    const now = ctx.now();
    const today = localDate(now, athlete.timezone);
    if (options.subcommand === 'clear') {
      const goals = await upcomingGoals(ctx.db, athlete.id, today);
      const id = options.goal ?? goals[0]?.id;
      const removed = id ? await deleteGoal(ctx.db, athlete.id, id) : undefined;
      if (!removed) return { content: 'No upcoming goal to remove.' };
      return { content: `Removed the goal **${removed.name}** (${dayText(removed.date, true)}).` };
    }
    if (options.unplanned && options.unplanned !== athlete.forecast_unplanned) {
      await setForecastUnplanned(ctx.db, athlete.id, options.unplanned);
      athlete = { ...athlete, forecast_unplanned: options.unplanned };
    }
    let note: string | null = null;
    if (options.subcommand === 'set') {
      const parsed = parseDateInZone(options.date, now, athlete.timezone);
      if (!parsed.ok) return { content: parsed.error };
      if (parsed.date < today)
        return { content: `${dayText(parsed.date, true)} has passed; a goal is a day ahead.` };
      if (daysBetween(today, parsed.date) > 366) return { content: 'A goal can be at most a year ahead.' };
      await upsertGoal(ctx.db, athlete.id, {
        date: parsed.date,
        name: options.name,
        targetTsb: options.target_tsb ?? null,
      });
      const goals = await upcomingGoals(ctx.db, athlete.id, today);
      if (goals[0] && goals[0].date !== parsed.date) {
        note = `Saved. The forecast below is for your nearer goal, ${goals[0].name} (${dayText(goals[0].date)}).`;
      }
    }
    return forecastReply(ctx, athlete, today, note);
  },
  autocomplete: async ({ invoker, focused }, ctx) => {
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    if (!athlete) return [];
    const today = localDate(ctx.now(), athlete.timezone);
    const needle = focused.value.trim().toLowerCase();
    const goals = await upcomingGoals(ctx.db, athlete.id, today);
    return goals
      .filter((g) => !needle || `${g.name} ${g.date}`.toLowerCase().includes(needle))
      .slice(0, 25)
      .map((g) => ({ name: `${dayText(g.date, true)} · ${g.name}`, value: g.id }));
  },
});

/** The forecast to the next goal: race-day numbers against the target, and the PMC with the plan dashed. */
async function forecastReply(
  ctx: BotContext,
  athlete: AthleteRow,
  today: string,
  note: string | null,
): Promise<Reply> {
  const forecast = await forecastForAthlete(ctx.db, athlete, today);
  if (!forecast?.goal) {
    return {
      content:
        'No race goal yet. Set one: `/goal set date:2026-12-05 name:Club 10k target_tsb:10` — the forecast runs your plan (`/plan add`) forward to it.',
    };
  }
  const goal = forecast.goal;
  const raceDay = forecast.days.find((d) => d.date === goal.date) ?? forecast.days.at(-1);
  const history = await loadSeries(ctx.db, athlete, addDays(today, -historyDays), addDays(today, -1));
  const basis = await forecastBasis(ctx.db, athlete, today);
  const plannedTotal = forecast.days.reduce((sum, d) => sum + d.stress, 0);
  const fields: { name: string; value: string; inline?: boolean }[] = [];
  if (raceDay) {
    fields.push(
      { name: 'Fitness (CTL)', value: num(raceDay.ctl, 1), inline: true },
      { name: 'Fatigue (ATL)', value: num(raceDay.atl, 1), inline: true },
      { name: 'Form (TSB)', value: signed(raceDay.tsb), inline: true },
    );
    const reading = formReading(raceDay.tsb).label;
    const fall = fitnessFall(basis.start.ctl, raceDay.ctl);
    fields.push({
      name: 'Race-day form',
      value: `${reading}${goal.target_tsb !== null ? `\n${againstTarget(raceDay.tsb, goal.target_tsb)}` : ''}${fall ? `\n${fitnessFallText(fall, athlete.forecast_unplanned === 'zero')}` : ''}`,
    });
  }
  const unplanned =
    athlete.forecast_unplanned === 'recent_average'
      ? `at your ${recentAverageDays}-day average, ${num(basis.recentAverage)} TSS/day`
      : 'as rest (0)';
  const lines = [
    `${daysBetween(today, goal.date) === 0 ? 'Today' : `In ${daysBetween(today, goal.date)} days`} — ${dayText(goal.date, true)}`,
    `Forecast over ${Math.round(plannedTotal)} TSS from today to race day; days without a plan count ${unplanned}.`,
  ];
  if (history.length === 0)
    lines.push('No training history yet, so fitness starts from 0. Connect Strava first: /connect');
  const png = await ctx.charts.renderSpec(
    pmcChartConfig({
      days: history.map((d) => ({ date: d.date, ctl: d.ctl, atl: d.atl, tsb: d.tsb, stress: d.stress })),
      forecast: forecast.days.map((d) => ({
        date: d.date,
        ctl: d.ctl,
        atl: d.atl,
        tsb: d.tsb,
        stress: d.stress,
      })),
      goal: { date: goal.date, name: goal.name },
      title: `Form forecast to ${goal.name}`,
    }),
  );
  return {
    content: note ?? undefined,
    embeds: [
      {
        title: `🏁 ${goal.name}`,
        color: 0xf0b232,
        description: lines.join('\n'),
        fields,
        image: 'attachment://forecast.png',
        footer: 'Change how unplanned days count: /goal view unplanned:… · plan workouts: /plan add',
      },
    ],
    files: [{ name: 'forecast.png', data: png, description: 'PMC with the planned days dashed' }],
  };
}

/** How the forecast race-day form compares with the target, in words. */
export function againstTarget(tsb: number, target: number): string {
  const gap = tsb - target;
  if (Math.abs(gap) < 2.5) return `On target (${signed(target)}).`;
  if (gap < 0) {
    return `${num(Math.abs(gap), 1)} below your target of ${signed(target)}: lighten the last days before the race.`;
  }
  return `${num(gap, 1)} above your target of ${signed(target)}: you can train a little more, or taper later.`;
}
