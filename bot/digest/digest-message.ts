import { pmcChartConfig } from '../../charts/pmc-chart.ts';
import { adviceFor } from '../../coach/rule-based.ts';
import { loadSeries } from '../../db/queries/daily-load.ts';
import { activitiesInRange } from '../../db/queries/training.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { duration } from '../../lib/format.ts';
import { addDays } from '../../lib/local-time.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import { planDaySummary } from '../../planning/day-summary.ts';
import { plannedStressOf } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { clip, linesWithin, messageLimits } from '../discord-adapter.ts';
import { formEmbed, formFacts } from '../views/form-view.ts';

/** Advice from the coach when it is configured; null makes the digest fall back to the rule. */
export type AdviceSource = (athlete: AthleteRow) => Promise<string | null>;

/** Monday of the ISO week of `date`. */
function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * The daily digest for `date` (the athlete's local date): today's form and its reading, fitness and
 * fatigue with the ramp, yesterday's activities with their stress, the week so far, the PMC chart and one
 * sentence of advice.
 */
export async function buildDigest(
  ctx: BotContext,
  athlete: AthleteRow,
  date: string,
  advice?: AdviceSource,
): Promise<Reply> {
  const series = await loadSeries(ctx.db, athlete, addDays(date, -89), date);
  const facts = formFacts(series);
  if (!facts) {
    return {
      content:
        '☀️ **Your daily form digest**\nNo training load yet, so there is no form to report. `/sync count:100` imports your history.',
    };
  }
  const yesterday = addDays(date, -1);
  const monday = weekStart(date);
  const activities = await activitiesInRange(ctx.db, athlete.id, {
    // biome-ignore lint/complexity/useMathMinMax: YYYY-MM-DD strings, compared as text
    from: monday < yesterday ? monday : yesterday,
    to: date,
    limit: 100,
  });
  const yesterdays = activities.filter((a) => a.date === yesterday).reverse();
  const week = activities.filter((a) => a.date >= monday && a.date <= date);
  const weekStress = week.reduce((sum, a) => sum + (a.stress ?? 0), 0);
  const weekTime = week.reduce((sum, a) => sum + (a.movingS ?? 0), 0);
  let sentence: string | null = null;
  try {
    sentence = advice ? await advice(athlete) : null;
  } catch (error) {
    ctx.logger.warn({ err: error, athleteId: athlete.id }, 'coach advice failed; rule-based advice used');
  }
  // The coach's own rule: the digest and the no-model coach give the same advice for the same form.
  sentence ??= adviceFor(facts.zone, facts.ramp);
  const embed = formEmbed(facts, 'attachment://pmc.png');
  embed.title = `☀️ ${embed.title}`;
  embed.description = sentence;
  embed.fields = [
    ...(embed.fields ?? []),
    {
      name: 'Yesterday',
      value:
        yesterdays.length === 0
          ? 'Rest day'
          : linesWithin(
              yesterdays.map(
                (a) =>
                  `${clip(a.name || a.sport, 100)} — ${a.stress !== null ? `${Math.round(a.stress)} stress` : 'no stress yet'}${a.movingS ? `, ${duration(a.movingS)}` : ''}`,
              ),
              messageLimits.fieldValue,
            ),
    },
    ...planFields(
      await planDaySummary(ctx.db, athlete.id, date),
      await planDaySummary(ctx.db, athlete.id, yesterday),
    ),
    {
      name: 'This week so far',
      value: `${week.length} ${week.length === 1 ? 'activity' : 'activities'}, ${Math.round(weekStress)} stress, ${duration(weekTime)}`,
    },
  ];
  const png = await ctx.charts.renderSpec(
    pmcChartConfig({
      days: series.map((d) => ({ date: d.date, ctl: d.ctl, atl: d.atl, tsb: d.tsb, stress: d.stress })),
      title: 'Fitness, fatigue and form — last 90 days',
    }),
  );
  return {
    content: `Your daily form digest for ${date}.`,
    embeds: [embed],
    files: [{ name: 'pmc.png', data: png, description: 'Performance Management Chart' }],
  };
}

type DaySummary = Awaited<ReturnType<typeof planDaySummary>>;

/** Today's planned workouts and how yesterday's plan went; nothing when the athlete does not plan. */
function planFields(today: DaySummary, yesterday: DaySummary) {
  const fields: { name: string; value: string }[] = [];
  if (today.plans.length > 0) {
    fields.push({
      name: 'Planned today',
      value: linesWithin(
        today.plans.map((p) => {
          const parts = [
            p.planned_duration_s ? duration(p.planned_duration_s) : null,
            `${Math.round(plannedStressOf(p))} stress`,
          ].filter(Boolean);
          return `${p.title} (${p.sport}) — ${parts.join(', ')}${p.status === 'done' ? ' ✅' : ''}`;
        }),
        messageLimits.fieldValue,
      ),
    });
  }
  if (yesterday.compliance !== null && yesterday.plannedStress !== null) {
    fields.push({
      name: 'Yesterday’s plan',
      value: `${yesterday.compliance} % done: ${Math.round(yesterday.doneStress)} of ${Math.round(yesterday.plannedStress)} planned stress`,
    });
  }
  return fields;
}
