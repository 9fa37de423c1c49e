import { pmcChartConfig } from '../../charts/pmc-chart.ts';
import { coachAdvice } from '../../coach/index.ts';
import { loadSeries } from '../../db/queries/daily-load.ts';
import { peakBests, workoutDetails } from '../../db/queries/workout-messages.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { duration, num, signed } from '../../lib/format.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import type { EmbedSpec, Reply } from '../../lib/presentation/reply.ts';
import { distanceText, type Units } from '../../lib/presentation/units.ts';
import { formReading } from '../../metrics/pmc.ts';
import { plannedStressOf } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { clip } from '../discord-adapter.ts';
import { intensityText, methodNames, newBests, newBestText, workoutRuleLine } from '../views/workout-view.ts';

/** Discord shows at most 10 embeds per message; one is kept for the summary. */
const maxDetailed = 9;

/**
 * The message after one or more new workouts: per workout its name, sport, duration, stress and method,
 * NP/IF or NGP or HR, new bests and the plan it fulfilled; then form before → after, one line from the
 * coach, and a small PMC chart. Null when the workouts are gone (deleted meanwhile).
 */
export async function buildWorkoutMessage(
  ctx: BotContext,
  athlete: AthleteRow,
  activityIds: string[],
): Promise<Reply | null> {
  const workouts = await workoutDetails(ctx.db, athlete.id, activityIds);
  if (workouts.length === 0) return null;
  const units = athlete.units as Units;
  const today = localDate(ctx.now(), athlete.timezone);
  const first = workouts.map((w) => w.local_date).sort()[0]!;
  const last = workouts
    .map((w) => w.local_date)
    .sort()
    .at(-1)!;
  const bests = await peakBests(
    ctx.db,
    athlete.id,
    workouts.map((w) => w.id),
    addDays(today, -89),
  );
  const embeds: EmbedSpec[] = workouts.slice(0, maxDetailed).map((w) => {
    const fields: EmbedSpec['fields'] = [];
    const summary = [
      w.sport_type,
      w.moving_time_s ? duration(w.moving_time_s) : null,
      w.distance_m ? distanceText(w.distance_m, units) : null,
    ].filter(Boolean);
    if (w.stress !== null)
      fields.push({
        name: 'Stress',
        value: `**${Math.round(w.stress)}** (${methodNames[w.stress_method ?? ''] ?? w.stress_method})`,
        inline: true,
      });
    const intensity = intensityText(w, units);
    if (intensity) fields.push({ name: 'Intensity', value: intensity, inline: true });
    const peaks = (w.metrics as { peaks?: Parameters<typeof newBests>[0] } | null)?.peaks ?? {};
    const found = newBests(peaks, bests);
    if (found.length > 0)
      fields.push({ name: 'New bests', value: found.map((b) => newBestText(b, units)).join('\n') });
    if (w.plan_title) {
      const planned = plannedStressOf({
        planned_stress: w.planned_stress,
        planned_duration_s: w.planned_duration_s,
        sport: w.plan_sport ?? w.sport_type,
      });
      const compliance = planned > 0 && w.stress !== null ? Math.round((w.stress / planned) * 100) : null;
      fields.push({
        name: 'Plan',
        value: `✅ ${clip(w.plan_title, 100)}${compliance !== null ? ` — ${compliance} % of ${Math.round(planned)} planned stress` : ''}`,
      });
    }
    return {
      title: clip(w.name || w.sport_type, 256),
      description: summary.join(' · '),
      color: 0xfc4c02,
      fields,
    };
  });
  const series = await loadSeries(ctx.db, athlete, addDays(first, -42), [last, today].sort()[1]!);
  const before = series.find((d) => d.date === addDays(first, -1));
  const after = series.find((d) => d.date === last);
  const intensity = workouts.at(-1)?.intensity ?? null;
  const method = workouts.at(-1)?.stress_method ?? null;
  const lines: string[] = [];
  let zoneAfter = formReading(0).zone;
  if (after) {
    const tsbBefore = before ? before.ctl - before.atl : 0;
    const tsbAfter = after.ctl - after.atl;
    zoneAfter = formReading(tsbAfter).zone;
    lines.push(
      `Form ${signed(tsbBefore, 1)} → ${signed(tsbAfter, 1)} (${formReading(tsbAfter).label}) · fitness ${num(before?.ctl ?? 0, 1)} → ${num(after.ctl, 1)} · fatigue ${num(before?.atl ?? 0, 1)} → ${num(after.atl, 1)}`,
    );
  }
  lines.push(`🗣️ ${await coachLine(ctx, athlete, workoutRuleLine(intensity, zoneAfter, method))}`);
  if (workouts.length > maxDetailed)
    lines.push(`…and ${workouts.length - maxDetailed} more; \`/week\` has them all.`);
  const png = await ctx.charts.renderSpec(
    pmcChartConfig({
      days: series
        .filter((d) => d.date <= last)
        .map((d) => ({ date: d.date, ctl: d.ctl, atl: d.atl, tsb: d.tsb, stress: d.stress })),
      title: 'Fitness, fatigue and form — last 6 weeks',
      size: { width: 640, height: 320 },
    }),
  );
  embeds.push({
    title: workouts.length === 1 ? 'Where it leaves you' : `Where these ${workouts.length} leave you`,
    description: lines.join('\n'),
    color: 0x5865f2,
    image: 'attachment://form.png',
    footer: 'Turn these messages off: /settings workout_dm:false · details: /activity',
  });
  return {
    content: workouts.length === 1 ? '🏁 New workout' : `🏁 ${workouts.length} new workouts`,
    embeds,
    files: [{ name: 'form.png', data: png, description: 'Fitness, fatigue and form, last 6 weeks' }],
  };
}

/**
 * One line from the coach: the model's when one is configured (through the coach's own advice, which
 * keeps the AI firewall: under COACH_STRAVA_DATA=exclude it never sees Strava API data), the rule set's
 * otherwise or when the model fails.
 */
async function coachLine(ctx: BotContext, athlete: AthleteRow, rule: string): Promise<string> {
  if (!ctx.config.coach.apiKey) return rule;
  try {
    return await coachAdvice(ctx, athlete.id);
  } catch (error) {
    ctx.logger.warn({ err: error, athleteId: athlete.id }, 'coach line failed; rule-based line used');
    return rule;
  }
}
