import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { compliancePercent, type PlanWeekDay, planWeekChartConfig } from '../../charts/plan-week-chart.ts';
import { ensureAthlete, findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import {
  activitiesForMatching,
  deletePlan,
  doneStressByDay,
  findPlan,
  insertPlan,
  listPlans,
  movePlan,
  type PlanWithActivity,
  searchPlans,
} from '../../db/queries/planning.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import type { PlannedWorkoutRow } from '../../db/tables/planning.ts';
import { AppError } from '../../lib/errors.ts';
import { duration, type Units } from '../../lib/format.ts';
import { addDays, daysBetween, localDate } from '../../lib/local-time.ts';
import { dateHelp, mondayOf, parseDateInZone } from '../../planning/date-parse.ts';
import { plannedStressOf } from '../../planning/forecast-store.ts';
import { matchPlanByHand, releaseHandMatch, rematchDay } from '../../planning/match-activity.ts';
import { planStatusOn, statusEmoji } from '../../planning/plan-status.ts';
import { formatTarget, parseTarget } from '../../planning/target.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import type { Reply } from '../reply.ts';

/** Sports offered when adding a plan: Strava sport types; matching compares their families. */
export const planSports = [
  'Ride',
  'Run',
  'Swim',
  'Walk',
  'Hike',
  'Row',
  'NordicSki',
  'WeightTraining',
  'Workout',
] as const;

/** How far back a plan may be added (to record a past day and match it) and how far ahead. */
export const planWindow = { pastDays: 14, futureDays: 366 } as const;

const planId = z
  .string({ error: 'pick a plan from the list' })
  .regex(/^\d{1,18}$/, 'pick a plan from the list (start typing its title or date)');
const dateText = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required. ${dateHelp}`)
    .max(40, `${name} is too long. ${dateHelp}`);

const Add = z
  .object({
    subcommand: z.literal('add'),
    date: dateText('date'),
    sport: z.enum(planSports, { error: `sport must be one of ${planSports.join(', ')}` }),
    title: z.string().trim().min(1, 'title cannot be empty').max(100, 'title must be at most 100 characters'),
    minutes: z
      .number()
      .int('minutes must be a whole number')
      .min(1, 'minutes must be between 1 and 1440')
      .max(1440, 'minutes must be between 1 and 1440')
      .optional(),
    stress: z
      .number()
      .min(0, 'stress must be between 0 and 2000')
      .max(2000, 'stress must be between 0 and 2000')
      .optional(),
    description: z.string().trim().max(1000, 'description must be at most 1000 characters').optional(),
    target: z.string().trim().max(40, 'target is too long, e.g. 250-270W').optional(),
  })
  .refine((o) => o.minutes !== undefined || o.stress !== undefined, {
    message: 'give the planned minutes or the planned stress (TSS), or both',
    path: ['minutes'],
  });

const Options = z.discriminatedUnion('subcommand', [
  Add,
  z.object({
    subcommand: z.literal('list'),
    days: z
      .number()
      .int('days must be a whole number')
      .min(1, 'days must be between 1 and 60')
      .max(60, 'days must be between 1 and 60')
      .default(14),
  }),
  z.object({ subcommand: z.literal('move'), plan: planId, to: dateText('to') }),
  z.object({ subcommand: z.literal('delete'), plan: planId }),
  z.object({ subcommand: z.literal('week'), date: dateText('date').optional() }),
  z.object({
    subcommand: z.literal('match'),
    plan: planId,
    activity: z
      .string({ error: 'pick an activity from the list' })
      .regex(/^(\d{1,18}|none|auto)$/, 'pick an activity from the list, "none" to unlink, or "auto"'),
  }),
]);
type Options = z.infer<typeof Options>;

const sportEmoji = (sport: string): string => {
  const s = sport.toLowerCase();
  if (/swim/.test(s)) return '🏊';
  if (/ride|bike|cycl/.test(s)) return '🚴';
  if (/run/.test(s)) return '🏃';
  if (/walk|hike/.test(s)) return '🚶';
  if (/row|kayak|canoe/.test(s)) return '🚣';
  if (/ski/.test(s)) return '⛷️';
  return '🏋️';
};

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

type AddOptions = Extract<Options, { subcommand: 'add' }>;

async function addPlan(
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

async function listReply(ctx: BotContext, athlete: AthleteRow, today: string, days: number): Promise<Reply> {
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

async function moveReply(
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

async function deleteReply(ctx: BotContext, athlete: AthleteRow, today: string, id: string): Promise<Reply> {
  const plan = await findPlan(ctx.db, athlete.id, id);
  if (!plan || !(await deletePlan(ctx.db, athlete.id, id))) {
    return { content: 'That plan does not exist any more. See your plans: `/plan list`.' };
  }
  // The activity it held is free again: another plan of that day may be the one it fulfilled.
  if (plan.activity_id !== null && plan.date <= today) await rematchDay(ctx.db, athlete.id, plan.date);
  return { content: `🗑️ Deleted **${plan.title}** (${dayText(plan.date)}).` };
}

async function matchReply(
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
    const owned = await ctx.db
      .selectFrom('activities')
      .select('id')
      .where('id', '=', activity)
      .where('athlete_id', '=', athlete.id)
      .executeTakeFirst();
    if (!owned) {
      const any = await ctx.db
        .selectFrom('activities')
        .select('id')
        .where('athlete_id', '=', athlete.id)
        .limit(1)
        .executeTakeFirst();
      return {
        content: any
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

function resolveDate(
  text: string,
  now: Date,
  timeZone: string,
  today: string,
): { ok: true; date: string } | { ok: false; error: string } {
  const parsed = parseDateInZone(text, now, timeZone);
  if (!parsed.ok) return parsed;
  if (parsed.date < addDays(today, -planWindow.pastDays)) {
    return {
      ok: false,
      error: `${dayText(parsed.date, true)} is more than ${planWindow.pastDays} days ago.`,
    };
  }
  if (parsed.date > addDays(today, planWindow.futureDays)) {
    return { ok: false, error: `${dayText(parsed.date, true)} is more than a year ahead.` };
  }
  return parsed;
}

/** One plan as a line: status, sport, title, planned numbers, and what fulfilled it. */
export function planLine(plan: PlanWithActivity, today: string, units: Units = 'metric'): string {
  const status = planStatusOn(plan, today);
  const numbers = [
    plan.planned_duration_s !== null ? duration(plan.planned_duration_s) : null,
    stressText(plan),
    formatTarget(plan.target, units),
  ].filter(Boolean);
  let line = `${statusEmoji[status]} ${sportEmoji(plan.sport)} ${plan.title} — ${numbers.join(', ')}`;
  if (plan.moved_from && status !== 'done') line += ` (moved from ${dayText(plan.moved_from)})`;
  if (plan.activity_id !== null) {
    const percent = compliancePercent(plannedStressOf(plan), plan.activity_stress);
    line += `\n  ↳ done: ${plan.activity_name || plan.activity_sport}${plan.activity_stress !== null ? `, ${Math.round(plan.activity_stress)} TSS` : ''}${percent !== null ? ` (${percent}%)` : ''}`;
  } else if (status === 'missed') line += ' · missed';
  return line;
}

function stressText(
  plan: Pick<PlannedWorkoutRow, 'planned_stress' | 'planned_duration_s' | 'sport'>,
): string {
  if (plan.planned_stress !== null) return `${Math.round(plan.planned_stress)} TSS`;
  return `≈${Math.round(plannedStressOf(plan))} TSS (estimated from duration)`;
}

function planChoiceName(plan: PlannedWorkoutRow, today: string): string {
  const status = planStatusOn({ ...plan }, today);
  return `${dayText(plan.date)} · ${plan.title} · ${plan.sport} · ${Math.round(plannedStressOf(plan))} TSS · ${status}`;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat 28 Nov" (or "Sat 28 Nov 2026"). */
export function dayText(date: string, withYear = false): string {
  const d = new Date(`${date}T00:00:00Z`);
  const base = `${weekdays[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
  return withYear ? `${base} ${d.getUTCFullYear()}` : base;
}

function relativeDay(date: string, today: string): string {
  const n = daysBetween(today, date);
  if (n === 0) return ' (today)';
  if (n === 1) return ' (tomorrow)';
  if (n === -1) return ' (yesterday)';
  return n > 0 ? ` (in ${n} days)` : ` (${-n} days ago)`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
