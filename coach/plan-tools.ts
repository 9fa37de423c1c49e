import { z } from 'zod';
import { activitiesByIds } from '../db/queries/activities.ts';
import { insertProposal, resolveProposal } from '../db/queries/coach-proposals.ts';
import { listPlans, upcomingGoals } from '../db/queries/planning.ts';
import { addDays } from '../lib/local-time.ts';
import { formReading } from '../metrics/pmc.ts';
import type { ForecastDay } from '../planning/forecast.ts';
import { plannedStressOf } from '../planning/forecast-store.ts';
import { planStatusOn } from '../planning/plan-status.ts';
import type { DataScope } from './data-scope.ts';
import {
  type ChangeSpec,
  changeLine,
  comparePlans,
  loadPlanState,
  maxChanges,
  type PlanComparison,
  resolveChanges,
  scopedForecastBasis,
} from './plan-changes.ts';
import { type CoachTool, dataNote, defineTool, isoDate, round, sourcesNote } from './tools.ts';

/**
 * The coach's plan tools: read the plan, forecast form for changed plans, and propose changes. Proposing
 * only stores the proposal: the athlete's plan changes when they press "Apply" under the answer.
 */

const planIdArg = z
  .string()
  .regex(/^\d{1,18}$/, 'a plan id from plan_read')
  .describe('planned workout id from plan_read');
const workoutArgs = {
  sport: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .describe('Strava sport type: Ride, Run, Swim, Walk, Hike, Row, NordicSki, WeightTraining, Workout'),
  title: z.string().trim().min(1).max(100).describe('short title, e.g. "Openers"'),
  description: z.string().trim().max(1000).optional().describe('what to do'),
  duration_min: z.number().int().min(1).max(1440).optional().describe('planned duration, minutes'),
  stress_tss: z.number().min(0).max(2000).optional().describe('planned stress, TSS'),
};

// A plain union: its JSON Schema is `anyOf`, which every OpenAI-compatible server accepts (`oneOf` is not).
const ChangeArg = z.union([
  z
    .strictObject({
      action: z.literal('add').describe('add'),
      date: isoDate.describe('day, YYYY-MM-DD'),
      ...workoutArgs,
    })
    .describe('add a workout'),
  z
    .strictObject({
      action: z.literal('move').describe('move'),
      plan_id: planIdArg,
      to_date: isoDate.describe('new day, YYYY-MM-DD'),
    })
    .describe('move a planned workout to another day'),
  z
    .strictObject({ action: z.literal('delete').describe('delete'), plan_id: planIdArg })
    .describe('remove a planned workout'),
  z
    .strictObject({
      action: z.literal('replace').describe('replace'),
      plan_id: planIdArg,
      ...workoutArgs,
      sport: workoutArgs.sport.optional().describe('default: the replaced plan’s sport'),
    })
    .describe('replace a planned workout with another on the same day'),
]);
type ChangeArg = z.infer<typeof ChangeArg>;

const changesArg = z
  .array(ChangeArg)
  .min(1)
  .max(maxChanges)
  .describe('concrete changes; each plan at most once; plan ids from plan_read');

function specOfArg(arg: ChangeArg): ChangeSpec {
  if (arg.action === 'move' || arg.action === 'delete') return arg;
  const workout = {
    title: arg.title,
    description: arg.description ?? null,
    duration_s: arg.duration_min === undefined ? null : arg.duration_min * 60,
    stress: arg.stress_tss ?? null,
  };
  if (arg.action === 'add') return { action: 'add', date: arg.date, sport: arg.sport, ...workout };
  return { action: 'replace', plan_id: arg.plan_id, sport: arg.sport ?? null, ...workout };
}

const planUnits = { duration: 'minutes', stress: 'TSS', ctl_atl_tsb: 'TSS per day' };

const planRead = defineTool({
  name: 'plan_read',
  description:
    'The athlete’s planned workouts in a date range (default: today and the next 13 days) with id, status and the stress of the activity that fulfilled each, and their upcoming race goals.',
  parameters: z.strictObject({
    from: isoDate.optional().describe('first day, YYYY-MM-DD (default today)'),
    to: isoDate
      .optional()
      .describe('last day, YYYY-MM-DD (default today + 13 days); at most 92 days after from'),
  }),
  run: async (args, scope) => {
    const from = args.from ?? scope.today;
    const to = args.to ?? addDays(from, 13);
    if (to < from) return { error: 'from must be on or before to' };
    if (to > addDays(from, 92)) return { error: 'at most 92 days at once' };
    const [plans, goals] = await Promise.all([
      listPlans(scope.db, scope.athlete.id, from, to),
      upcomingGoals(scope.db, scope.athlete.id, scope.today),
    ]);
    const visible = await visibleActivities(
      scope,
      plans.flatMap((plan) => (plan.activity_id === null ? [] : [plan.activity_id])),
    );
    return {
      today: scope.today,
      from,
      to,
      units: planUnits,
      unplanned_days_in_forecasts: unplannedText(scope),
      plans: plans.map((plan) => {
        const status = planStatusOn(plan, scope.today);
        return {
          id: plan.id,
          date: plan.date,
          sport: plan.sport,
          title: plan.title,
          description: plan.description,
          status,
          ...(plan.moved_from ? { moved_from: plan.moved_from } : {}),
          duration_min: plan.planned_duration_s === null ? null : Math.round(plan.planned_duration_s / 60),
          planned_stress_tss: round(plannedStressOf(plan), 0),
          ...(plan.planned_stress === null ? { stress_estimated_from_duration: true } : {}),
          ...(plan.activity_id === null
            ? {}
            : visible.has(plan.activity_id)
              ? {
                  fulfilled_by: {
                    activity_id: plan.activity_id,
                    name: plan.activity_name,
                    stress_tss: round(plan.activity_stress, 0),
                    duration_min:
                      plan.activity_duration_s === null ? null : Math.round(plan.activity_duration_s / 60),
                  },
                }
              : { fulfilled_by: 'an activity the coach may not see (Strava API data)' }),
          can_change: status !== 'done' && plan.date >= scope.today,
        };
      }),
      goals: goals.map((goal) => ({ date: goal.date, name: goal.name, target_tsb: goal.target_tsb })),
      ...(plans.length === 0
        ? { note: 'No planned workouts in that range. The athlete adds them with /plan add.' }
        : {}),
      data_note: dataNote,
      ...sourcesNote(scope),
    };
  },
});

/** The fulfilling activities the scope may show (all of them, unless the firewall leaves some out). */
async function visibleActivities(scope: DataScope, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  if (!scope.sources) return new Set(ids);
  const rows = await activitiesByIds(scope.db, scope.athlete.id, ids, scope.sources);
  return new Set(rows.map((row) => row.id));
}

function unplannedText(scope: DataScope): string {
  return scope.athlete.forecast_unplanned === 'recent_average'
    ? 'count at the recent 28-day average stress'
    : 'count 0 (rest)';
}

const dayNumbers = (day: ForecastDay | undefined) =>
  day
    ? {
        ctl: round(day.ctl),
        atl: round(day.atl),
        tsb: round(day.tsb),
        reading: formReading(day.tsb).label,
      }
    : null;

const tsbChange = (a: ForecastDay | undefined, b: ForecastDay | undefined) =>
  a && b ? round(b.tsb - a.tsb) : null;

/** Daily rows for up to this many days; beyond, the last days only. */
const maxRows = 28;

/** The comparison as the model reads it: goal days and the last day side by side, then daily rows. */
function comparisonResult(comparison: PlanComparison) {
  const at = (days: ForecastDay[], date: string) => days.find((d) => d.date === date);
  const last = comparison.until;
  const rows = comparison.proposed.map((proposed, i) => {
    const current = comparison.current[i]!;
    return [
      proposed.date,
      round(current.stress, 0),
      round(current.tsb),
      round(proposed.stress, 0),
      round(proposed.ctl),
      round(proposed.atl),
      round(proposed.tsb),
    ];
  });
  return {
    from: comparison.current[0]?.date ?? null,
    until: last,
    unplanned_days: comparison.unplanned === 'recent_average' ? 'counted at the recent average' : 'counted 0',
    ...(comparison.unplanned === 'recent_average'
      ? { recent_average_stress_tss_per_day: round(comparison.basis.recentAverage, 0) }
      : {}),
    start_yesterday: { ctl: round(comparison.basis.start.ctl), atl: round(comparison.basis.start.atl) },
    goal_days: comparison.goals.map((goal) => ({
      date: goal.date,
      name: goal.name,
      target_tsb: goal.target_tsb,
      current_plan: dayNumbers(at(comparison.current, goal.date)),
      with_changes: dayNumbers(at(comparison.proposed, goal.date)),
      tsb_change: tsbChange(at(comparison.current, goal.date), at(comparison.proposed, goal.date)),
    })),
    last_day: {
      date: last,
      current_plan: dayNumbers(at(comparison.current, last)),
      with_changes: dayNumbers(at(comparison.proposed, last)),
      tsb_change: tsbChange(at(comparison.current, last), at(comparison.proposed, last)),
    },
    total_stress_tss: {
      current_plan: round(
        comparison.current.reduce((sum, d) => sum + d.stress, 0),
        0,
      ),
      with_changes: round(
        comparison.proposed.reduce((sum, d) => sum + d.stress, 0),
        0,
      ),
    },
    columns: [
      'date',
      'stress_current',
      'tsb_current',
      'stress_with_changes',
      'ctl_with_changes',
      'atl_with_changes',
      'tsb_with_changes',
    ],
    rows: rows.slice(-maxRows),
    ...(rows.length > maxRows ? { rows_note: `the last ${maxRows} days only` } : {}),
  };
}

/** Checks the changes against the plan and forecasts both; the problems when a change does not fit. */
async function checkAndCompare(scope: DataScope, args: ChangeArg[], until?: string) {
  const state = await loadPlanState(scope.db, scope.athlete.id, scope.today);
  const resolution = resolveChanges(args.map(specOfArg), state.plans, scope.today);
  if (!resolution.ok) return { resolution } as const;
  const basis = await scopedForecastBasis(scope);
  const comparison = comparePlans(scope, state, basis, resolution.changes, until);
  return { resolution, comparison } as const;
}

const invalid = (problems: string[]) => ({
  error: 'Some changes do not fit the athlete’s plan. Fix them and call again.',
  problems,
});

const planWhatIf = defineTool({
  name: 'plan_what_if',
  description:
    'Forecasts fitness (CTL), fatigue (ATL) and form (TSB) for the plan with some changes (add/move/delete/replace workouts) beside the current plan, through `until` or the next race goal. Changes nothing.',
  parameters: z.strictObject({
    changes: changesArg,
    until: isoDate.optional().describe('last day forecast, YYYY-MM-DD (default: the next goal)'),
  }),
  run: async (args, scope) => {
    const checked = await checkAndCompare(scope, args.changes, args.until);
    if (!checked.resolution.ok) return invalid(checked.resolution.problems);
    return {
      units: planUnits,
      changes: checked.resolution.changes.map(changeLine),
      ...comparisonResult(checked.comparison!),
      note: 'A forecast only; the plan is unchanged.',
      data_note: dataNote,
      ...sourcesNote(scope),
    };
  },
});

/** The goal-day (or last-day) form the reply shows beside a proposal. */
export const ProposalForecast = z.object({
  date: z.string(),
  name: z.string().nullable(),
  tsb_current: z.number().nullable(),
  tsb_with_changes: z.number().nullable(),
});
export type ProposalForecast = z.infer<typeof ProposalForecast>;

const CreatedProposal = z.object({
  proposal_id: z.string(),
  status: z.literal('pending'),
  forecast: ProposalForecast,
});

/** The proposal a `plan_propose` result reports as created, if it does. */
export function createdProposalOf(result: unknown): { id: string; forecast: ProposalForecast } | null {
  const parsed = CreatedProposal.safeParse(result);
  return parsed.success ? { id: parsed.data.proposal_id, forecast: parsed.data.forecast } : null;
}

/** Proposals made during an answer that failed (the athlete never saw their buttons). */
export async function withdrawProposals(scope: DataScope, ids: string[]): Promise<void> {
  for (const id of ids) await resolveProposal(scope.db, scope.athlete.id, id, 'dismissed');
}

const planPropose = defineTool({
  name: 'plan_propose',
  description:
    'Proposes concrete plan changes (e.g. a taper, a recovery week) to the athlete. It does NOT change the plan: the athlete gets Apply/Dismiss buttons under your answer, and only Apply changes the plan. Check the effect with plan_what_if first.',
  parameters: z.strictObject({
    title: z.string().trim().min(3).max(80).describe('short title, e.g. "Taper for Club TT"'),
    changes: changesArg,
  }),
  run: async (args, scope) => {
    const checked = await checkAndCompare(scope, args.changes);
    if (!checked.resolution.ok) return invalid(checked.resolution.problems);
    const comparison = checked.comparison!;
    const goal = comparison.goals[0];
    const date = goal?.date ?? comparison.until;
    const current = comparison.current.find((d) => d.date === date);
    const proposed = comparison.proposed.find((d) => d.date === date);
    const row = await insertProposal(scope.db, scope.athlete.id, {
      title: args.title,
      changes: checked.resolution.changes,
    });
    return {
      proposal_id: row.id,
      title: row.title,
      status: 'pending',
      changes: checked.resolution.changes.map(changeLine),
      forecast: {
        date,
        name: goal?.name ?? null,
        tsb_current: round(current?.tsb),
        tsb_with_changes: round(proposed?.tsb),
      },
      data_note: dataNote,
      note: 'NOT applied. The athlete sees these changes with Apply/Dismiss buttons under your answer; the plan changes only if they press Apply. Say you proposed it; never say it is done.',
    };
  },
});

export const planTools: CoachTool[] = [planRead, planWhatIf, planPropose];
