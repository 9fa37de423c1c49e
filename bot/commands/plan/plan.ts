import { SlashCommandBuilder } from 'discord.js';
import { ensureAthlete, findAthleteByDiscordId } from '../../../db/queries/athletes.ts';
import { activitiesForMatching, findPlan, searchPlans } from '../../../db/queries/planning.ts';
import { AppError } from '../../../lib/errors.ts';
import { addDays, daysBetween, localDate } from '../../../lib/local-time.ts';
import { mondayOf, parseDateInZone } from '../../../planning/date-parse.ts';
import type { BotContext } from '../../bot-context.ts';
import { defineCommand } from '../../command.ts';
import { addPlan } from './add.ts';
import { deleteReply } from './delete.ts';
import { listReply } from './list.ts';
import { matchReply } from './match.ts';
import { moveReply } from './move.ts';
import { Options, planSports, planWindow } from './options.ts';
import { dayText, planChoiceName } from './view.ts';
import { weekReply } from './week.ts';

/**
 * /plan: the command's definition, its autocomplete and its buttons; each subcommand's reply is in its own
 * file beside this one, and view.ts writes plans the same way for all of them.
 */
export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('plan')
    .setDescription('Your planned workouts: add, list, move, delete, the week, and matching')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Plan a workout')
        .addStringOption((o) =>
          o
            .setName('date')
            .setDescription('today, tomorrow, sat, next mon, 2026-12-05 …')
            .setRequired(true)
            .setMaxLength(40),
        )
        .addStringOption((o) =>
          o
            .setName('sport')
            .setDescription('Sport')
            .setRequired(true)
            .addChoices(...planSports.map((sport) => ({ name: sport, value: sport }))),
        )
        .addStringOption((o) =>
          o.setName('title').setDescription('e.g. Tempo 3×10 min').setRequired(true).setMaxLength(100),
        )
        .addIntegerOption((o) =>
          o.setName('minutes').setDescription('Planned duration, minutes').setMinValue(1).setMaxValue(1440),
        )
        .addNumberOption((o) =>
          o.setName('stress').setDescription('Planned stress (TSS)').setMinValue(0).setMaxValue(2000),
        )
        .addStringOption((o) =>
          o.setName('target').setDescription('250-270W, 4:30-4:40/km or 140-150bpm').setMaxLength(40),
        )
        .addStringOption((o) => o.setName('description').setDescription('Details').setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('list')
        .setDescription('Your plans from today on')
        .addIntegerOption((o) =>
          o.setName('days').setDescription('How many days ahead (default 14)').setMinValue(1).setMaxValue(60),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('move')
        .setDescription('Move a planned workout to another day')
        .addStringOption((o) =>
          o.setName('plan').setDescription('The workout').setRequired(true).setAutocomplete(true),
        )
        .addStringOption((o) =>
          o.setName('to').setDescription('tomorrow, sat, 2026-12-05 …').setRequired(true).setMaxLength(40),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('delete')
        .setDescription('Delete a planned workout')
        .addStringOption((o) =>
          o.setName('plan').setDescription('The workout').setRequired(true).setAutocomplete(true),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('week')
        .setDescription('The week as a calendar: planned beside done, with compliance')
        .addStringOption((o) =>
          o.setName('date').setDescription('Any day of the week (default this week)').setMaxLength(40),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('match')
        .setDescription('Choose which activity fulfilled a plan (or none)')
        .addStringOption((o) =>
          o.setName('plan').setDescription('The workout').setRequired(true).setAutocomplete(true),
        )
        .addStringOption((o) =>
          o
            .setName('activity')
            .setDescription('The activity, "none" to unlink, "auto" to match automatically again')
            .setRequired(true)
            .setAutocomplete(true),
        ),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    // Planning works before Strava is connected: the athlete row is created on first use.
    const athlete = await ensureAthlete(ctx.db, invoker.userId);
    const now = ctx.now();
    const today = localDate(now, athlete.timezone);
    switch (options.subcommand) {
      case 'add':
        return addPlan(ctx, athlete, today, now, options);
      case 'list':
        return listReply(ctx, athlete, today, options.days);
      case 'move':
        return moveReply(ctx, athlete, today, now, options.plan, options.to);
      case 'delete':
        return deleteReply(ctx, athlete, today, options.plan);
      case 'week': {
        let day = today;
        if (options.date) {
          const parsed = parseDateInZone(options.date, now, athlete.timezone);
          if (!parsed.ok) return { content: parsed.error };
          day = parsed.date;
        }
        return weekReply(ctx, athlete, today, mondayOf(day));
      }
      case 'match':
        return matchReply(ctx, athlete, options.plan, options.activity);
    }
  },
  autocomplete: async ({ invoker, focused, options }, ctx) => {
    // Suggestions never create an athlete: someone who has not used /plan yet has nothing to pick.
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    if (!athlete) return [];
    const today = localDate(ctx.now(), athlete.timezone);
    if (focused.name === 'plan') {
      // Moving and deleting look ahead (and at the last two weeks); matching looks at the last month.
      const from = addDays(today, options.subcommand === 'match' ? -30 : -planWindow.pastDays);
      const plans = await searchPlans(ctx.db, athlete.id, from, focused.value);
      return plans.map((plan) => ({ name: planChoiceName(plan, today), value: plan.id }));
    }
    if (focused.name === 'activity') {
      const plan =
        typeof options.plan === 'string' && /^\d{1,18}$/.test(options.plan)
          ? await findPlan(ctx.db, athlete.id, options.plan)
          : undefined;
      const activities = await activitiesForMatching(ctx.db, athlete.id, addDays(today, -45), today);
      const needle = focused.value.trim().toLowerCase();
      const near = (date: string) => (plan ? Math.abs(daysBetween(plan.date, date)) : 0);
      const choices = activities
        .filter((a) => !needle || `${a.name} ${a.sport_type} ${a.local_date}`.toLowerCase().includes(needle))
        .sort((a, b) => near(a.local_date) - near(b.local_date))
        .slice(0, 23)
        .map((a) => ({
          name: `${dayText(a.local_date)} · ${a.name || a.sport_type} · ${a.sport_type}${a.stress !== null ? ` · ${Math.round(a.stress)} TSS` : ''}`,
          value: a.id,
        }));
      return [
        ...choices,
        { name: 'None — this plan was not done by any activity', value: 'none' },
        { name: 'Automatic — match this day again by sport, stress and duration', value: 'auto' },
      ];
    }
    return [];
  },
  button: async ({ invoker, action, args }, ctx) => {
    const athlete = await ensureAthlete(ctx.db, invoker.userId);
    const today = localDate(ctx.now(), athlete.timezone);
    if (action === 'week' && args[0] && /^\d{4}-\d{2}-\d{2}$/.test(args[0])) {
      return weekReply(ctx, athlete, today, mondayOf(args[0]));
    }
    throw new AppError('not_found', {
      message: `unknown plan button ${action}`,
      userMessage: 'This button has expired.',
    });
  },
});
