import { distanceText } from '../bot/views/units.ts';
import type { Db } from '../db/connect.ts';
import { loadSeries } from '../db/queries/load-series.ts';
import { activitiesInRange, weeklyLoad } from '../db/queries/training.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { addDays } from '../lib/local-time.ts';
import { formatDuration } from '../lib/pace.ts';
import { formReading } from '../metrics/pmc.ts';

/** Why the rule-based coach answered instead of the model. */
export type FallbackReason = 'no_api_key' | 'model_failed' | 'budget_spent';

const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(1)}`;

/** Today's form facts from every source (no model is involved, so the AI firewall does not apply). */
export async function formSnapshot(db: Db, athlete: AthleteRow, today: string) {
  const days = await loadSeries(db, athlete, addDays(today, -6), today);
  const last = days.at(-1);
  if (!last) return null;
  return {
    ...last,
    weekStress: days.reduce((sum, day) => sum + day.stress, 0),
    reading: formReading(last.tsb),
  };
}

/**
 * The coach without a model: form, load and the last activity from the athlete's own data, then how to get
 * the AI coach. Deterministic, so every number in it is a stored value.
 */
export async function ruleBasedAnswer(
  db: Db,
  athlete: AthleteRow,
  today: string,
  reason: FallbackReason,
): Promise<string> {
  const lines: string[] = [];
  const form = await formSnapshot(db, athlete, today);
  if (form) {
    lines.push(
      `**Form today:** ${signed(form.tsb)} — ${form.reading.label}. Fitness (CTL) ${form.ctl.toFixed(1)}, fatigue (ATL) ${form.atl.toFixed(1)}.`,
    );
  }
  const weeks = await weeklyLoad(db, athlete.id, addDays(today, -34), today);
  const thisWeek = weeks.at(-1);
  if (form) {
    const earlier = weeks.slice(0, -1);
    const average =
      earlier.length > 0 ? earlier.reduce((sum, week) => sum + week.stress, 0) / earlier.length : null;
    lines.push(
      `**Load:** ${form.weekStress.toFixed(0)} TSS over the last 7 days${
        average === null ? '' : ` (recent weeks with training averaged ${average.toFixed(0)} TSS)`
      }${thisWeek ? `; ${thisWeek.activities} ${thisWeek.activities === 1 ? 'activity' : 'activities'} this week` : ''}.`,
    );
    lines.push(`**Advice:** ${adviceFor(form.reading.zone, form.ramp)}`);
  }
  const [last] = await activitiesInRange(db, athlete.id, { to: today, limit: 1 });
  if (last) {
    const parts = [
      last.distanceM ? distanceText(last.distanceM, athlete.units) : null,
      last.movingS ? formatDuration(last.movingS) : null,
      last.stress === null ? null : `${last.stress.toFixed(0)} TSS`,
    ].filter(Boolean);
    lines.push(
      `**Last activity:** ${last.date}, ${last.sport} “${last.name}”${parts.length > 0 ? ` — ${parts.join(', ')}` : ''}.`,
    );
  }
  if (lines.length === 0) {
    lines.push(
      'I have no training data for you yet. Import your history with `/sync`, or `/upload` a workout file.',
    );
  }
  lines.push('', `_${reasonNote(reason)}_`);
  return lines.join('\n');
}

function reasonNote(reason: FallbackReason): string {
  switch (reason) {
    case 'no_api_key':
      return 'This is the rule-based coach. To enable the AI coach, the operator sets OPENAI_API_KEY (and OPENAI_BASE_URL / OPENAI_MODEL for any OpenAI-compatible server, e.g. a local Ollama) and restarts Threshold.';
    case 'model_failed':
      return 'The AI coach could not answer right now, so this is the rule-based summary. Try again in a few minutes.';
    case 'budget_spent':
      return 'Today’s AI coach allowance renews at midnight your time; until then, this is the rule-based summary.';
  }
}

/** One sentence from the form reading alone (the digest's advice when no model answers). */
export function adviceFor(zone: ReturnType<typeof formReading>['zone'], ramp: number): string {
  switch (zone) {
    case 'high_risk':
      return 'Fatigue is well above fitness: make today easy or a rest day.';
    case 'optimal':
      return ramp > 8
        ? 'You are building well but fitness is climbing fast: keep intensity in check and plan a lighter day soon.'
        : 'You are in the productive training zone: a quality session fits today if you feel good.';
    case 'neutral':
      return 'Form is balanced: a normal training day, with intensity if your plan calls for it.';
    case 'fresh':
      return 'You are fresh: a good day for a key workout or a race.';
    case 'transition':
      return 'You have rested a lot: add some training load this week before fitness slips.';
  }
}
