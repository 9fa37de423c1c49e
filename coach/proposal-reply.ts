import { num, signed } from '../lib/format.ts';
import type { ButtonSpec } from '../lib/presentation/reply.ts';
import { formReading } from '../metrics/pmc.ts';
import type { ForecastDay } from '../planning/forecast.ts';
import { changeLine, dayLabel, type StoredChange } from './plan-changes.ts';
import type { ProposalForecast } from './plan-tools.ts';

/** A proposal as the coach's reply shows it. */
export interface ProposalForReply {
  id: string;
  title: string;
  changes: StoredChange[];
  forecast: ProposalForecast;
}

/** The changes in plain words (written by code, not the model), and what pressing Apply does. */
function proposalText(proposal: ProposalForReply): string {
  const { forecast } = proposal;
  const where = forecast.name
    ? `Race-day form (${forecast.name}, ${dayLabel(forecast.date)})`
    : `Form on ${dayLabel(forecast.date)}`;
  const lines = [
    `**Proposed: ${proposal.title}** — not applied yet`,
    ...proposal.changes.map((change) => `• ${changeLine(change)}`),
  ];
  if (forecast.tsb_current !== null && forecast.tsb_with_changes !== null) {
    lines.push(
      `${where}: TSB ${signed(forecast.tsb_current)} with your current plan → ${signed(forecast.tsb_with_changes)} with these changes.`,
    );
  }
  lines.push(
    'Press **Apply to my plan** to make these changes, or **Dismiss**. The proposal expires in 7 days.',
  );
  return lines.join('\n');
}

/** Apply and Dismiss, routed to `/coach`'s button handler. */
export function proposalButtons(proposalId: string): ButtonSpec[][] {
  return [
    [
      { kind: 'action', label: 'Apply to my plan', customId: `coach:apply:${proposalId}`, style: 'success' },
      { kind: 'action', label: 'Dismiss', customId: `coach:dismiss:${proposalId}`, style: 'secondary' },
    ],
  ];
}

/** The coach's answer with the proposal it made, if any, listed under it. */
export function answerWithProposal(text: string, proposal: ProposalForReply | undefined): string {
  return proposal ? `${text}\n\n${proposalText(proposal)}` : text;
}

/** After Apply: what changed, and the form forecast on the goal day (or last planned day) now. */
export function appliedText(
  title: string,
  changes: StoredChange[],
  forecast: {
    days: ForecastDay[];
    goal: { date: string; name: string; target_tsb: number | null } | null;
  } | null,
): string {
  const lines = [`✅ **Applied: ${title}**`, ...changes.map((change) => `• ${changeLine(change)}`)];
  const date = forecast?.goal?.date ?? forecast?.days.at(-1)?.date;
  const day = forecast?.days.find((d) => d.date === date);
  if (forecast && day) {
    const where = forecast.goal
      ? `Race-day forecast (${forecast.goal.name}, ${dayLabel(day.date)})`
      : `Forecast for ${dayLabel(day.date)}`;
    const target =
      forecast.goal?.target_tsb !== null && forecast.goal?.target_tsb !== undefined
        ? ` (target ${signed(forecast.goal.target_tsb)})`
        : '';
    lines.push(
      `${where}: fitness ${num(day.ctl, 1)}, fatigue ${num(day.atl, 1)}, form ${signed(day.tsb)}${target} — ${formReading(day.tsb).label}.`,
    );
  }
  lines.push('See it with `/plan list` or `/goal view`.');
  return lines.join('\n');
}
