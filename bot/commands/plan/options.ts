import { z } from 'zod';
import { dateHelp } from '../../../planning/date-parse.ts';

/** /plan's options: the sports offered, the date window, and one zod schema per subcommand. */
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

export const Options = z.discriminatedUnion('subcommand', [
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
export type Options = z.infer<typeof Options>;

export type AddOptions = Extract<Options, { subcommand: 'add' }>;
