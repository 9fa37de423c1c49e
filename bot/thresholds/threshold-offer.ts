import {
  findAthleteByDiscordId,
  findAthleteById,
  listThresholds,
  setThreshold,
  thresholdsOn,
} from '../../db/queries/athletes.ts';
import {
  estimateHistory,
  firstActivityDate,
  hasHistoryProposals,
  insertActivityProposal,
  type NewProposal,
  pendingProposals,
  replaceHistoryProposals,
  resolveProposals,
} from '../../db/queries/threshold-proposals.ts';
import type { ThresholdKind } from '../../db/tables/athlete-thresholds.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import type { ThresholdProposalRow } from '../../db/tables/threshold-proposals.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import { formatMinSec } from '../../lib/pace.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import { paceText, type Units } from '../../lib/presentation/units.ts';
import {
  type EstimatedKind,
  estimateActivityFromMetrics,
  estimateThresholds,
  raisedThresholds,
  type ThresholdEstimate,
  type ThresholdEstimates,
} from '../../metrics/threshold-estimates.ts';
import type { BotContext } from '../bot-context.ts';
import type { ProgressUpdater } from '../command.ts';
import { display, labelOf, limits } from '../commands/settings.ts';
import { recomputeHistory } from '../recompute-history.ts';

/** The kinds estimated from history, in the order they are offered, with their /settings option. */
const offered: { kind: EstimatedKind; key: keyof ThresholdEstimates; option: keyof typeof limits }[] = [
  { kind: 'ftp', key: 'ftp', option: 'ftp' },
  { kind: 'run_ftp', key: 'runFtp', option: 'run_ftp' },
  { kind: 'lthr', key: 'lthr', option: 'lthr' },
  { kind: 'max_hr', key: 'maxHr', option: 'max_hr' },
  { kind: 'threshold_pace', key: 'thresholdPace', option: 'run_pace' },
];

/** The estimates from the athlete's last year of activities, as of `asOf`. */
async function athleteEstimates(
  ctx: Pick<BotContext, 'db'>,
  athleteId: string,
  asOf: string,
): Promise<ThresholdEstimates> {
  const rows = await estimateHistory(ctx.db, athleteId, addDays(asOf, -365), asOf);
  return estimateThresholds(
    rows.map((row) => estimateActivityFromMetrics(row.id, row.local_date, row.sport_type, row.metrics)),
    asOf,
  );
}

/** "12 Nov" (or "12 Nov 2025" outside the current year). */
function shortDate(date: string, today: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return d.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
    ...(date.slice(0, 4) !== today.slice(0, 4) ? { year: 'numeric' } : {}),
  });
}

const distanceNames: Record<string, string> = {
  '400': '400 m',
  '1000': '1 km',
  '1609': '1 mile',
  '5000': '5 km',
  '10000': '10 km',
  '21097': 'half marathon',
  '42195': 'marathon',
};

/** Where an estimate comes from, as the athlete reads it ("from your 20 min best of 263 W on 12 Nov"). */
function estimateSource(estimate: ThresholdEstimate, today: string): string {
  const e = estimate.evidence;
  const on = shortDate(e.date, today);
  const watts = `${Math.round(e.value)} W`;
  switch (estimate.method) {
    case 'cp_fit':
    case 'run_cp_fit':
      return `critical-power fit over your 3–20 min ${estimate.method === 'run_cp_fit' ? 'run ' : ''}power bests (${estimate.fit?.points} points; 20 min best of ${watts} on ${on})`;
    case 'best_20min':
      return `95 % of your 20 min best of ${watts} on ${on}`;
    case 'run_best_20min':
      return `95 % of your 20 min run-power best of ${watts} on ${on}`;
    case 'best_20min_hr':
      return `95 % of your highest 20 min heart rate, ${Math.round(e.value)} bpm on ${on}`;
    case 'highest_hr':
      return `your highest heart rate held 5 s, ${Math.round(e.value)} bpm on ${on}`;
    case 'cs_fit':
      return `critical speed fitted over your best efforts of 3–40 min (${distanceNames[String(Math.floor(e.distance ?? 0))] ?? `${e.distance} m`} in ${formatMinSec(e.value)} on ${on})`;
    case 'best_10km':
      return `the pace of your fastest 10 km, ${formatMinSec(e.value)} on ${on}`;
  }
}

/** A value as stored: whole watts, bpm and seconds. */
const rounded = (value: number) => Math.round(value);

function inLimits(option: keyof typeof limits, value: number): boolean {
  return value >= limits[option].min && value <= limits[option].max;
}

function valueText(kind: ThresholdKind, value: number, units: Units): string {
  return kind === 'threshold_pace' ? paceText(1000 / value, units) : display(kind, value);
}

/**
 * The one message offering thresholds the athlete has not set yet, estimated from their history, each
 * with its source, and Accept / Edit buttons. Null when nothing is unset or nothing can be estimated.
 * Stores the offer as pending proposals (replacing an earlier unanswered offer).
 */
export async function thresholdOffer(
  ctx: Pick<BotContext, 'db'>,
  athlete: Pick<AthleteRow, 'id' | 'timezone' | 'units'>,
  now: Date,
): Promise<Reply | null> {
  const today = localDate(now, athlete.timezone);
  const [estimates, rows] = await Promise.all([
    athleteEstimates(ctx, athlete.id, today),
    listThresholds(ctx.db, athlete.id),
  ]);
  const set = new Set(rows.map((row) => row.kind));
  const proposals: NewProposal[] = [];
  for (const { kind, key, option } of offered) {
    const estimate = estimates[key];
    if (set.has(kind) || !estimate) continue;
    const value = rounded(estimate.value);
    if (!inLimits(option, value)) continue;
    proposals.push({
      kind,
      value,
      effectiveDate: today,
      method: estimate.method,
      source: estimateSource(estimate, today),
      activityId: null,
    });
  }
  if (proposals.length === 0) return null;
  const stored = await replaceHistoryProposals(ctx.db, athlete.id, proposals);
  const lines = stored.map(
    (p) => `• **${labelOf(p.kind)} ${valueText(p.kind, p.value, athlete.units)}** — ${p.source}`,
  );
  const ids = stored.map((p) => p.id);
  return {
    embeds: [
      {
        title: 'Thresholds from your own training',
        color: 0x5865f2,
        description: [
          'You have not set these yet, so your workouts are scored with less accurate methods. From your history I estimate:',
          ...lines,
          '',
          'Accept to use them from your first activity on: your whole history is recomputed at once. Or set your own values.',
        ].join('\n'),
        footer: 'Estimates are suggestions; nothing changes until you accept.',
      },
    ],
    components: [
      [
        { kind: 'action', label: 'Accept', customId: `settings:accept:${ids.join(':')}`, style: 'success' },
        { kind: 'action', label: 'Edit', customId: `settings:edit:${ids.join(':')}`, style: 'secondary' },
      ],
    ],
  };
}

/**
 * Proposals a new activity implies: thresholds it clearly raises (FTP +3 % or more), dated the day of
 * the activity. Each is stored once per activity and kind; null when there is nothing (new) to propose.
 */
export async function raisedThresholdProposal(
  ctx: Pick<BotContext, 'db'>,
  athlete: Pick<AthleteRow, 'id' | 'timezone' | 'units'>,
  activity: { id: string; localDate: string; name: string },
  now: Date,
): Promise<Reply | null> {
  const today = localDate(now, athlete.timezone);
  const [estimates, rows] = await Promise.all([
    athleteEstimates(ctx, athlete.id, activity.localDate),
    listThresholds(ctx.db, athlete.id),
  ]);
  const current = thresholdsOn(rows, activity.localDate);
  const raised = raisedThresholds(estimates, current, activity.id);
  const stored: { row: ThresholdProposalRow; current: number }[] = [];
  for (const r of raised) {
    const option = offered.find((o) => o.kind === r.kind)!.option;
    const value = rounded(r.estimate.value);
    if (!inLimits(option, value)) continue;
    const row = await insertActivityProposal(ctx.db, athlete.id, {
      kind: r.kind,
      value,
      effectiveDate: activity.localDate,
      method: r.estimate.method,
      source: estimateSource(r.estimate, today),
      activityId: activity.id,
    });
    if (row) stored.push({ row, current: r.current });
  }
  if (stored.length === 0) return null;
  const day = shortDate(activity.localDate, today);
  const ids = stored.map((s) => s.row.id);
  return {
    embeds: [
      {
        title: `📈 ${activity.name} suggests higher thresholds`,
        color: 0x43b581,
        description: [
          ...stored.map(
            ({ row, current }) =>
              `• **${labelOf(row.kind)} ${valueText(row.kind, current, athlete.units)} → ${valueText(row.kind, row.value, athlete.units)}** — ${row.source}`,
          ),
          '',
          `Accept to use them from ${day} on (activities from then are recomputed); nothing changes otherwise.`,
        ].join('\n'),
      },
    ],
    components: [
      [
        {
          kind: 'action',
          label: `Accept from ${day}`,
          customId: `settings:accept:${ids.join(':')}`,
          style: 'success',
        },
        { kind: 'action', label: 'Ignore', customId: `settings:ignore:${ids.join(':')}`, style: 'secondary' },
      ],
    ],
  };
}

/**
 * Accepts proposals: a kind's first value covers the whole history (METRICS.md), a later one takes effect
 * on its date; history is recomputed at once from the earliest day that changed, with a progress bar.
 */
export async function acceptProposals(
  ctx: BotContext,
  input: { userId: string; athleteId: string; ids: string[]; progress: ProgressUpdater },
): Promise<Reply> {
  const before = await listThresholds(ctx.db, input.athleteId);
  const accepted = await resolveProposals(ctx.db, input.athleteId, input.ids, 'accepted');
  if (accepted.length === 0) return { content: 'These suggestions were already answered.' };
  // A first value is dated from the first activity, so later dated values (an accepted raise) follow it.
  const firstDay = await firstActivityDate(ctx.db, input.athleteId);
  let all = false;
  let from: string | null = null;
  const lines: string[] = [];
  const athlete = await findAthleteById(ctx.db, input.athleteId);
  if (!athlete) throw new Error(`athlete ${input.athleteId} not found`);
  for (const p of accepted) {
    const first = !before.some((row) => row.kind === p.kind);
    const effective = first && firstDay !== null && firstDay < p.effective_date ? firstDay : p.effective_date;
    await setThreshold(ctx.db, input.athleteId, p.kind, p.value, effective, 'estimate');
    lines.push(
      `${labelOf(p.kind)} → ${valueText(p.kind, p.value, athlete.units)} ${first ? '(your first value: it covers your whole history)' : `from ${p.effective_date}`}`,
    );
    if (first) all = true;
    else if (from === null || p.effective_date < from) from = p.effective_date;
  }
  const result = await recomputeHistory(ctx, {
    userId: input.userId,
    from: all || from === null ? 'all' : from,
    progress: input.progress,
  });
  return { ...result, content: `✅ Accepted: ${lines.join('; ')}.\n${result.content ?? ''}`, components: [] };
}

/** Ignore: the proposals are closed and nothing changes. */
export async function ignoreProposals(ctx: BotContext, athleteId: string, ids: string[]): Promise<Reply> {
  const ignored = await resolveProposals(ctx.db, athleteId, ids, 'ignored');
  return {
    content:
      ignored.length === 0
        ? 'These suggestions were already answered.'
        : 'Ignored: your thresholds stay as they are. `/settings` changes them any time.',
    components: [],
  };
}

/** Edit: the same values as a /settings command to adjust (the proposals stay open to accept). */
export async function editProposals(ctx: BotContext, athleteId: string, ids: string[]): Promise<Reply> {
  const open = await pendingProposals(ctx.db, athleteId, ids);
  if (open.length === 0) return { content: 'These suggestions were already answered.', components: [] };
  const args = open.map((p) => {
    const option = offered.find((o) => o.kind === p.kind)!.option;
    return `${option}:${p.kind === 'threshold_pace' ? formatMinSec(p.value) : Math.round(p.value)}`;
  });
  return {
    content: `Change any value and send: \`/settings ${args.join(' ')}\`\nA first value covers your whole history, which is recomputed at once.`,
    components: [],
  };
}

/**
 * After an athlete's first import (the Strava connect backfill or an export ZIP): one DM offering the
 * thresholds they have not set, estimated from what was just imported. Offered once; /settings offers
 * again whenever a threshold is still unset.
 */
export async function offerThresholdsAfterImport(ctx: BotContext, discordUserId: string): Promise<boolean> {
  if (!ctx.dm) return false;
  const athlete = await findAthleteByDiscordId(ctx.db, discordUserId);
  if (!athlete) return false;
  if (await hasHistoryProposals(ctx.db, athlete.id)) return false;
  const offer = await thresholdOffer(ctx, athlete, ctx.now());
  if (!offer) return false;
  await ctx.dm.send(discordUserId, offer);
  return true;
}
