import type { Db } from '../db/connect.ts';
import { loadSeries } from '../db/queries/daily-load.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import {
  count,
  day,
  distance,
  duration,
  durationLabel,
  num,
  paceFromSecondsPerKm,
  signed,
  swimPaceFromSecondsPer100m,
} from '../lib/format.ts';
import { addDays, daysBetween } from '../lib/local-time.ts';
import { formReading } from '../metrics/pmc.ts';
import { createDataScope, type DataScope } from './data-scope.ts';
import { type CoachIntent, type DateRange, type RecognisedQuestion, recogniseQuestion } from './intent.ts';
import { comparePlans, loadPlanState, scopedForecastBasis } from './plan-changes.ts';
import { planTools } from './plan-tools.ts';
import { coachTools, runTool } from './tools.ts';

/** Why the rule-based coach answered instead of the model. */
export type FallbackReason = 'no_api_key' | 'model_failed' | 'budget_spent';

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
 * The coach without a model: recognises what the question asks (thresholds, a workout, a week or month,
 * form, the plan, the race forecast, bests) and answers it from the model's own tools, or says what it
 * can answer. Deterministic, so every number in it is a stored or computed value. `question` is optional
 * for callers that only want today's summary.
 */
export async function ruleBasedAnswer(
  db: Db,
  athlete: AthleteRow,
  today: string,
  reason: FallbackReason,
  question = '',
): Promise<string> {
  const reply = await ruleBasedReply(db, athlete, today, question);
  return [...reply.lines, '', `_${reasonNote(reason)}_`].join('\n');
}

/** The rule-based answer and the intent it answered (the evaluation scores both). */
export async function ruleBasedReply(
  db: Db,
  athlete: AthleteRow,
  today: string,
  question: string,
): Promise<{ intent: CoachIntent; lines: string[] }> {
  // No model reads this answer, so every source is allowed (the firewall guards the model only).
  const scope = createDataScope(db, athlete, today, null);
  const tools = new ToolCaller(scope);
  const names = question.trim() === '' ? [] : await tools.activityNames();
  const recognised = recogniseQuestion(question, today, names);
  const lines = await answerFor(recognised, tools, question);
  if (lines.length === 0) {
    lines.push(
      'I have no training data for you yet. Import your history with `/sync`, or `/upload` a workout file.',
    );
  }
  return { intent: recognised.intent, lines };
}

async function answerFor(r: RecognisedQuestion, tools: ToolCaller, question: string): Promise<string[]> {
  switch (r.intent) {
    case 'thresholds':
      return thresholdsAnswer(tools, question);
    case 'activity':
      return activityAnswer(tools, r, question);
    case 'period':
      return periodAnswer(tools, r, question);
    case 'form':
      return formAnswer(tools, r, question);
    case 'plan':
      return planAnswer(tools);
    case 'forecast':
      return forecastAnswer(tools);
    case 'bests':
      return bestsAnswer(tools, r);
    case 'help':
      return helpAnswer(tools, question);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The tools, called as the model calls them (validated arguments, one athlete's scope).

interface ActivityItem {
  id: string;
  date: string;
  name: string;
  sport: string;
  distance_km: number | null;
  moving_time: string | null;
  stress_tss: number | null;
  stress_method: string | null;
  np_w: number | null;
  intensity_factor: number | null;
  avg_hr_bpm: number | null;
}

class ToolCaller {
  constructor(readonly scope: DataScope) {}

  get today() {
    return this.scope.today;
  }

  get units() {
    return this.scope.athlete.units;
  }

  async call<T>(name: string, args: object): Promise<T | null> {
    const tools = [...coachTools, ...planTools];
    const result = await runTool(tools, name, JSON.stringify(args), this.scope);
    return result.ok ? (result.result as T) : null;
  }

  /** Every activity in a range, newest first, through the `activities` tool in four-week pages. */
  async activities(from: string, to: string, sport: string | null = null): Promise<ActivityItem[]> {
    const all: ActivityItem[] = [];
    for (let end = to; end >= from; end = addDays(end, -28)) {
      const start = addDays(end, -27) < from ? from : addDays(end, -27);
      const page = await this.call<{ activities: ActivityItem[] }>('activities', {
        from: start,
        to: end,
        ...(sport ? { sport } : {}),
        limit: 50,
      });
      all.push(...(page?.activities ?? []));
    }
    return all;
  }

  async activityNames(): Promise<string[]> {
    const rows = await this.activities(addDays(this.today, -365), this.today);
    return [...new Set(rows.map((row) => row.name))];
  }
}

// ---------------------------------------------------------------------------------------------------------
// One answer per intent.

interface ThresholdsResult {
  in_effect: {
    ftp_w: number | null;
    lthr_bpm: number | null;
    max_hr_bpm: number | null;
    rest_hr_bpm: number | null;
  };
  history: { kind: string; value: number; from: string; source: string }[];
  power_zones_w: { zone: number; from: number; to: number }[] | null;
  hr_zones_bpm: { zone: number; from: number; to: number }[] | null;
  missing?: string[];
}

async function thresholdsAnswer(tools: ToolCaller, question: string): Promise<string[]> {
  const t = await tools.call<ThresholdsResult>('thresholds_zones', {});
  if (!t) return [];
  const q = question.toLowerCase();
  const current = (kind: string) =>
    t.history
      .filter((row) => row.kind === kind && row.from <= tools.today)
      .sort((a, b) => (a.from < b.from ? 1 : -1));
  const since = (kind: string) => {
    const [now, before] = current(kind);
    if (!now) return '';
    return ` (since ${day(now.from, { year: true })}${before ? `; before that ${formatKind(kind, before.value, tools)} from ${day(before.from, { year: true })}` : ''})`;
  };
  const line = (kind: string, label: string, setting: string) => {
    const [now] = current(kind);
    return now
      ? `**${label}:** ${formatKind(kind, now.value, tools)}${since(kind)}.`
      : `**${label}:** not set. Set it with \`/settings ${setting}:\`.`;
  };
  const lines: string[] = [];
  const asks = {
    ftp: /\bftp\b|critical power|power threshold/.test(q),
    lthr: /\blthr\b|lactate|threshold heart|threshold hr/.test(q),
    maxHr: /\bmax(imum)?\s+(heart rate|hr)\b/.test(q),
    restHr: /\brest(ing)?\s+(heart rate|hr)\b/.test(q),
    runPace: /\b(run|running)\b.*\bpace\b|\bthreshold pace\b/.test(q) && !/swim/.test(q),
    swimPace: /\bswim/.test(q),
    zones: /\bzones?\b/.test(q),
  };
  const any = Object.values(asks).some(Boolean);
  if (asks.ftp || !any) lines.push(line('ftp', 'FTP', 'ftp'));
  if (asks.lthr || !any) lines.push(line('lthr', 'Lactate threshold HR (LTHR)', 'lthr'));
  if (asks.maxHr || !any) lines.push(line('max_hr', 'Max HR', 'max_hr'));
  if (asks.restHr) lines.push(line('rest_hr', 'Resting HR', 'rest_hr'));
  if (asks.runPace || !any) lines.push(line('threshold_pace', 'Threshold run pace', 'run_pace'));
  if (asks.swimPace || !any) lines.push(line('swim_threshold_pace', 'Swim threshold pace', 'swim_pace'));
  if (asks.zones) {
    const hr = /heart|hr\b/.test(q) && !/power/.test(q);
    const zones = hr ? t.hr_zones_bpm : t.power_zones_w;
    const unit = hr ? 'bpm' : 'W';
    lines.push(
      zones
        ? `**${hr ? 'Heart-rate' : 'Power'} zones:** ${zones
            .map((z) => `Z${z.zone} ${z.from}–${z.to} ${unit}`)
            .join(' · ')}${hr ? '' : ` · Z${zones.length + 1} above ${zones.at(-1)!.to} ${unit}`}.`
        : `No ${hr ? 'LTHR' : 'FTP'} set, so no zones yet. Set it with \`/settings ${hr ? 'lthr' : 'ftp'}:\`.`,
    );
  }
  return lines;
}

function formatKind(kind: string, value: number, tools: ToolCaller): string {
  if (kind === 'ftp') return `${num(value)} W`;
  if (kind === 'threshold_pace') return paceFromSecondsPerKm(value, tools.units);
  if (kind === 'swim_threshold_pace') return swimPaceFromSecondsPer100m(value, tools.units);
  return `${num(value)} bpm`;
}

interface DetailResult {
  id: string;
  date: string;
  name: string;
  sport: string;
  distance_km: number | null;
  moving_time: string | null;
  elevation_gain_m: number | null;
  stress_tss: number | null;
  stress_method: string | null;
  metrics: {
    power: { np?: number | null; if?: number | null; avg?: number | null } | null;
    pace: { ngp_per_km: string | null; intensity_factor: number | null } | null;
    hr: { avg?: number | null; max?: number | null } | null;
  };
}

const seconds = (clock: string | null) => {
  if (!clock) return null;
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
};

function activityLine(a: ActivityItem, tools: ToolCaller): string {
  const parts = [
    a.distance_km ? distance(a.distance_km * 1000, tools.units) : null,
    a.moving_time ? duration(seconds(a.moving_time)!) : null,
    a.stress_tss === null
      ? null
      : `${num(a.stress_tss)} TSS${a.stress_method ? ` (${a.stress_method})` : ''}`,
    a.np_w ? `NP ${num(a.np_w)} W` : null,
    a.intensity_factor ? `IF ${num(a.intensity_factor, 2)}` : null,
    a.avg_hr_bpm ? `avg HR ${num(a.avg_hr_bpm)} bpm` : null,
  ].filter(Boolean);
  return `${day(a.date, { year: true })}: ${a.sport} “${a.name}”${parts.length > 0 ? ` — ${parts.join(', ')}` : ''}`;
}

async function activityAnswer(tools: ToolCaller, r: RecognisedQuestion, question: string): Promise<string[]> {
  const q = question.toLowerCase();
  const range = r.ranges[0] ?? { from: addDays(tools.today, -365), to: tools.today, label: 'the last year' };
  if (r.activityName) {
    const rows = (await tools.activities(addDays(tools.today, -365), tools.today)).filter(
      (a) => a.name.toLowerCase() === r.activityName!.toLowerCase(),
    );
    const latest = rows[0];
    if (!latest) return [`I found no activity named “${r.activityName}”.`];
    const lines = [`**${latest.name}** — ${await detailText(tools, latest)}`];
    if (rows.length > 1)
      lines.push(`(${count(rows.length, 'activity', 'activities')} have that name; this is the latest.)`);
    return lines;
  }
  if (/\b(longest|biggest|hardest)\b/.test(q)) {
    const rows = await tools.activities(range.from, range.to, r.sport);
    if (rows.length === 0)
      return [`No ${r.sport ? `${r.sport.toLowerCase()}s` : 'activities'} in ${range.label}.`];
    const byTime = /\bhow long\b|\blongest (in|by) time\b|\bhardest\b/.test(q) && !/\bhow far\b/.test(q);
    const key = (a: ActivityItem) =>
      /\bhardest\b/.test(q)
        ? (a.stress_tss ?? 0)
        : byTime
          ? (seconds(a.moving_time) ?? 0)
          : (a.distance_km ?? 0);
    const top = rows.reduce((a, b) => (key(b) > key(a) ? b : a));
    return [
      `Your ${/\bhardest\b/.test(q) ? 'hardest' : 'longest'} ${r.sport?.toLowerCase() ?? 'activity'} in ${range.label} ${byTime ? 'by time' : ''}:`.replace(
        ' :',
        ':',
      ),
      activityLine(top, tools),
    ];
  }
  const [last] = await tools.activities(addDays(tools.today, -365), tools.today, r.sport);
  if (!last) return [`No ${r.sport ? `${r.sport.toLowerCase()}s` : 'activities'} in the last year.`];
  return [`**Last ${r.sport?.toLowerCase() ?? 'activity'}:** ${await detailText(tools, last)}`];
}

async function detailText(tools: ToolCaller, a: ActivityItem): Promise<string> {
  const d = await tools.call<DetailResult>('activity_detail', { activity_id: a.id });
  if (!d) return activityLine(a, tools);
  const parts = [
    `${day(d.date, { year: true })}, ${d.sport} “${d.name}”`,
    d.distance_km ? distance(d.distance_km * 1000, tools.units) : null,
    d.moving_time ? duration(seconds(d.moving_time)!) : null,
    d.stress_tss === null ? null : `${num(d.stress_tss)} TSS (${d.stress_method ?? 'unknown method'})`,
  ].filter(Boolean);
  const p = d.metrics.power;
  const extra = [
    p?.np ? `NP ${num(p.np)} W` : null,
    p?.if ? `IF ${num(p.if, 2)}` : null,
    d.metrics.pace?.ngp_per_km
      ? `NGP ${paceFromSecondsPerKm(seconds(d.metrics.pace.ngp_per_km)!, tools.units)}`
      : null,
    d.metrics.hr?.avg ? `avg HR ${num(d.metrics.hr.avg)} bpm` : null,
  ].filter(Boolean);
  return `${parts.join(', ')}${extra.length > 0 ? `; ${extra.join(', ')}` : ''}.`;
}

interface PeriodFacts {
  from: string;
  to: string;
  activities: number;
  hours: number | null;
  distance_km: number | null;
  stress_tss: number | null;
  weekly_stress_tss: number | null;
  ctl_at_end: number | null;
}

async function periodFacts(tools: ToolCaller, range: DateRange): Promise<PeriodFacts | null> {
  // compare_periods over the same range twice: the facts of one period, as the model reads them.
  const result = await tools.call<{ first: PeriodFacts }>('compare_periods', {
    first: { from: range.from, to: range.to },
    second: { from: range.from, to: range.to },
  });
  return result?.first ?? null;
}

async function periodAnswer(tools: ToolCaller, r: RecognisedQuestion, question: string): Promise<string[]> {
  const q = question.toLowerCase();
  const lastN = /\b(?:last|past)\s+(\d{1,2})\s+weeks?\b/.exec(q);
  if (/\baverage\b|\bper week\b|\bweekly\b/.test(q)) {
    const weeks = lastN ? Number(lastN[1]) : 4;
    const result = await tools.call<{
      average_weekly_stress_tss: number;
      weeks: { week_starting: string; stress_tss: number; hours: number }[];
    }>('weekly_load', { weeks });
    if (!result || result.weeks.length === 0) return [`No activities in the last ${count(weeks, 'week')}.`];
    return [
      `**Average weekly stress, last ${count(weeks, 'week')}** (this week included): ${num(result.average_weekly_stress_tss)} TSS.`,
      ...result.weeks.map(
        (w) => `• Week of ${day(w.week_starting)}: ${num(w.stress_tss)} TSS, ${num(w.hours, 1)} h`,
      ),
    ];
  }
  const ranges = r.ranges.length > 0 ? r.ranges : [thisWeek(tools.today)];
  const lines: string[] = [];
  const facts: PeriodFacts[] = [];
  for (const range of ranges.slice(0, 3)) {
    // A day or two: the workouts themselves.
    if (daysBetween(range.from, range.to) <= 1) {
      const rows = await tools.activities(range.from, range.to, r.sport);
      lines.push(
        rows.length === 0
          ? `**${rangeTitle(range)}:** no ${r.sport ? `${r.sport.toLowerCase()}s` : 'activities'}.`
          : `**${rangeTitle(range)}:**`,
        ...rows.map((a) => `• ${activityLine(a, tools)}`),
      );
      continue;
    }
    if (r.sport) {
      const rows = await tools.activities(range.from, range.to, r.sport);
      const plural = `${r.sport.toLowerCase()}s`;
      const total = (pick: (a: ActivityItem) => number) => rows.reduce((sum, a) => sum + pick(a), 0);
      const parts = [
        count(rows.length, r.sport.toLowerCase(), plural),
        `${num(total((a) => seconds(a.moving_time) ?? 0) / 3600, 1)} h`,
        distance(
          total((a) => (a.distance_km ?? 0) * 1000),
          tools.units,
          1,
        ),
        `${num(total((a) => a.stress_tss ?? 0))} TSS`,
      ];
      lines.push(`**${rangeTitle(range)}:** ${parts.join(', ')}.`);
      if (rows[0]) lines.push(`Last one: ${activityLine(rows[0], tools)}.`);
      continue;
    }
    const f = await periodFacts(tools, range);
    if (!f) continue;
    facts.push(f);
    lines.push(
      `**${rangeTitle(range)}:** ${count(f.activities, 'activity', 'activities')}, ${num(f.hours ?? 0, 1)} h, ${distance((f.distance_km ?? 0) * 1000, tools.units, 1)}, ${num(f.stress_tss ?? 0)} TSS${
        daysBetween(range.from, range.to) > 7 ? ` (${num(f.weekly_stress_tss ?? 0)} TSS a week)` : ''
      }.`,
    );
  }
  if (facts.length === 2) {
    const [a, b] = facts as [PeriodFacts, PeriodFacts];
    lines.push(
      `Change: ${signed((b.hours ?? 0) - (a.hours ?? 0), 1)} h, ${signed((b.stress_tss ?? 0) - (a.stress_tss ?? 0), 0)} TSS.`,
    );
  }
  return lines;
}

const thisWeek = (today: string): DateRange => {
  const monday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  return { from: monday, to: today, label: 'this week' };
};

/** "October 2026 (Thu 1 Oct – Sat 31 Oct 2026)"; lower case unless it starts a sentence. */
function rangeTitle(range: DateRange, start = true): string {
  const span =
    range.from === range.to
      ? day(range.from, { year: true })
      : `${day(range.from)} – ${day(range.to, { year: true })}`;
  if (/^\d{4}-/.test(range.label)) return span;
  if (range.label.startsWith('week of')) return `${start ? 'Week' : 'week'} ${span}`;
  const label = start ? `${range.label[0]!.toUpperCase()}${range.label.slice(1)}` : range.label;
  return `${label} (${span})`;
}

interface CurrentForm {
  ctl_fitness: number;
  atl_fatigue: number;
  tsb_form: number;
  ramp_ctl_per_7_days: number;
  stress_last_7_days_tss: number;
  reading: string;
  note?: string;
}

async function formAnswer(tools: ToolCaller, r: RecognisedQuestion, question: string): Promise<string[]> {
  const q = question.toLowerCase();
  const range = r.ranges[0];
  if (range && !/\bramp\b/.test(q) && (range.from !== range.to || /\bpeak|highest|change/.test(q))) {
    const result = await tools.call<{
      from: string;
      to: string;
      change: { ctl: number; atl: number; tsb: number };
      peak_ctl: number;
      rows: [string, number, number, number, number][];
    }>('pmc_range', { from: range.from, to: range.to });
    if (result?.rows?.length) {
      const first = result.rows[0]!;
      const last = result.rows.at(-1)!;
      const peak = /\bpeak|highest\b/.test(q);
      return [
        ...(peak ? [`**Peak fitness (CTL), ${rangeTitle(range, false)}:** ${num(result.peak_ctl, 1)}.`] : []),
        `**Fitness (CTL), ${rangeTitle(range, false)}:** ${num(first[1], 1)} on ${day(first[0])} → ${num(last[1], 1)} on ${day(last[0])} (${signed(result.change.ctl, 1)})${peak ? '' : `; peak ${num(result.peak_ctl, 1)}`}.`,
        `Fatigue (ATL) ${signed(result.change.atl, 1)}, form (TSB) ${signed(result.change.tsb, 1)} over the period.`,
      ];
    }
  }
  if (/\bpeak|highest\b/.test(q)) {
    const from = addDays(tools.today, -365);
    const result = await tools.call<{ peak_ctl: number }>('pmc_range', { from, to: tools.today });
    if (result?.peak_ctl !== undefined)
      return [
        `**Peak fitness (CTL) in the last year:** ${num(result.peak_ctl, 1)}.`,
        ...(await formLines(tools)),
      ];
  }
  const lines = await formLines(tools);
  // "How am I?": the whole picture, with the latest workout.
  if (/\bhow am i\b|\bhow('s| is| are) (my|things)\b|\bdoing\b|\bstatus\b|\boverview\b/.test(q)) {
    const [last] = await tools.activities(addDays(tools.today, -27), tools.today);
    if (last) lines.push(`**Last activity:** ${activityLine(last, tools)}.`);
  }
  return lines;
}

async function formLines(tools: ToolCaller): Promise<string[]> {
  const f = await tools.call<CurrentForm>('current_form', {});
  if (!f || f.note) return [];
  const zone = formReading(f.tsb_form);
  return [
    `**Form today:** ${signed(f.tsb_form, 1)} — ${f.reading}.`,
    `Fitness (CTL) ${num(f.ctl_fitness, 1)}, fatigue (ATL) ${num(f.atl_fatigue, 1)}, ramp ${signed(f.ramp_ctl_per_7_days, 1)} CTL over 7 days.`,
    `**Load:** ${num(f.stress_last_7_days_tss)} TSS over the last 7 days.`,
    `**Advice:** ${adviceFor(zone.zone, f.ramp_ctl_per_7_days)}`,
  ];
}

interface PlanRead {
  plans: {
    date: string;
    sport: string;
    title: string;
    status: string;
    duration_min: number | null;
    planned_stress_tss: number | null;
  }[];
  goals: { date: string; name: string; target_tsb: number | null }[];
}

async function planAnswer(tools: ToolCaller): Promise<string[]> {
  const plan = await tools.call<PlanRead>('plan_read', {});
  const open = (plan?.plans ?? []).filter((p) => p.status !== 'done' && p.date >= tools.today);
  if (open.length === 0)
    return [
      'Nothing planned in the next two weeks. Add workouts with `/plan add`, e.g. `/plan add date:tomorrow sport:Ride title:Endurance minutes:90`.',
    ];
  const text = (p: PlanRead['plans'][number]) =>
    `${day(p.date)}: ${p.sport} “${p.title}”${p.duration_min ? `, ${duration(p.duration_min * 60)}` : ''}${
      p.planned_stress_tss === null ? '' : `, ${num(p.planned_stress_tss)} TSS`
    }`;
  const [next, ...rest] = open;
  return [
    `**Next planned workout:** ${text(next!)}.`,
    ...(rest.length > 0 ? [`Then: ${rest.slice(0, 4).map(text).join(' · ')}.`] : []),
  ];
}

async function forecastAnswer(tools: ToolCaller): Promise<string[]> {
  const lines = await formLines(tools);
  const state = await loadPlanState(tools.scope.db, tools.scope.athlete.id, tools.today);
  const goal = state.goals[0];
  if (!goal) {
    lines.push('No race goal set, so no race-day forecast: set one with `/goal set`.');
    return lines;
  }
  // The forecast the plan tools compute, with no changes: today's plan run forward to the goal.
  const basis = await scopedForecastBasis(tools.scope);
  const comparison = comparePlans(tools.scope, state, basis, []);
  const raceDay = comparison.current.find((d) => d.date === goal.date) ?? comparison.current.at(-1);
  if (raceDay) {
    lines.unshift(
      `**${goal.name}, ${day(goal.date, { year: true })}** (in ${count(daysBetween(tools.today, goal.date), 'day')}): forecast form (TSB) ${signed(raceDay.tsb, 1)} — ${formReading(raceDay.tsb).label}; fitness ${num(raceDay.ctl, 1)}, fatigue ${num(raceDay.atl, 1)}${
        goal.target_tsb === null ? '' : ` (target ${signed(goal.target_tsb, 0)})`
      }. Days without a plan count ${comparison.unplanned === 'recent_average' ? 'at your recent average' : 'as rest'}.`,
    );
  }
  return lines;
}

async function bestsAnswer(tools: ToolCaller, r: RecognisedQuestion): Promise<string[]> {
  const range = r.ranges[0] ?? {
    from: addDays(tools.today, -89),
    to: tools.today,
    label: 'last 90 days',
  };
  const result = await tools.call<{ best_power: { duration: string; seconds: number; watts: number }[] }>(
    'power_curve',
    { from: range.from, to: range.to },
  );
  if (!result?.best_power?.length) return [`No power data in ${range.label}.`];
  const wanted = r.durationS;
  const exact = wanted === null ? undefined : result.best_power.find((p) => p.seconds === wanted);
  if (exact)
    return [
      `**Best ${durationLabel(exact.seconds)} power, ${rangeTitle(range, false)}:** ${num(exact.watts)} W.`,
    ];
  return [
    `**Best power, ${rangeTitle(range, false)}:** ${result.best_power
      .map((p) => `${durationLabel(p.seconds)} ${num(p.watts)} W`)
      .join(' · ')}.`,
  ];
}

async function helpAnswer(tools: ToolCaller, question: string): Promise<string[]> {
  const form = await formLines(tools);
  const [last] = await tools.activities(addDays(tools.today, -27), tools.today);
  return [
    ...(question.trim() === ''
      ? []
      : ['I can’t answer that one without the AI coach. Without it, I can answer:']),
    ...(question.trim() === ''
      ? []
      : [
          '• thresholds and zones (“What is my FTP?”) · your last or a named workout (“How did the Long ride go?”)',
          '• a week or month (“How many hours last week?”, “Compare September and October”)',
          '• form and fatigue (“How tired am I?”) · your next planned workout · the race-day forecast · best power (“best 20-minute power this season”)',
          '',
        ]),
    ...form,
    ...(last ? [`**Last activity:** ${activityLine(last, tools)}.`] : []),
  ];
}

function reasonNote(reason: FallbackReason): string {
  switch (reason) {
    case 'no_api_key':
      return 'This is the rule-based coach. To enable the AI coach, the operator sets OPENAI_API_KEY (and OPENAI_BASE_URL / OPENAI_MODEL for any OpenAI-compatible server, e.g. a local Ollama) and restarts Threshold.';
    case 'model_failed':
      return 'The AI coach could not answer right now, so this is the rule-based answer. Try again in a few minutes.';
    case 'budget_spent':
      return 'Today’s AI coach allowance renews at midnight your time; until then, this is the rule-based answer.';
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
