import type { Db } from '../db/connect.ts';
import { inTransaction } from '../db/connect.ts';
import { insertCoachMessages } from '../db/queries/coach-messages.ts';
import { lockProposal, resolveProposal } from '../db/queries/coach-proposals.ts';
import type { CoachProposalStatus } from '../db/tables/coach-proposals.ts';
import {
  applyChanges,
  loadPlanState,
  parseStoredChanges,
  resolveChanges,
  type StoredChange,
  specOf,
} from './plan-changes.ts';

export type ProposalOutcome =
  | { kind: 'applied'; title: string; changes: StoredChange[] }
  | { kind: 'dismissed'; title: string }
  | { kind: 'not_found' }
  | { kind: 'not_yours' }
  | { kind: 'already'; status: Exclude<CoachProposalStatus, 'pending'> }
  | { kind: 'expired' }
  /** The plan changed since the proposal (a workout done, moved or deleted): nothing was written. */
  | { kind: 'stale'; problems: string[] };

/** Every outcome in which the plan was left as it was. */
export type NotApplied = Exclude<ProposalOutcome, { kind: 'applied' }>;

/**
 * Applies a proposal the athlete confirmed: only their own, only while pending and unexpired, checked
 * again against the plan as it is now, all changes or none (one transaction). The proposal row is locked
 * first, so a second press waits and then finds it applied.
 */
export async function applyProposal(
  db: Db,
  athleteId: string,
  proposalId: string,
  today: string,
): Promise<ProposalOutcome> {
  return inTransaction(db, async (trx) => {
    const row = await lockProposal(trx, proposalId);
    if (!row) return { kind: 'not_found' };
    if (row.athlete_id !== athleteId) return { kind: 'not_yours' };
    if (row.status !== 'pending') return { kind: 'already', status: row.status };
    if (row.expired) {
      await resolveProposal(trx, athleteId, proposalId, 'expired');
      return { kind: 'expired' };
    }
    const stored = parseStoredChanges(row.changes);
    const state = await loadPlanState(trx, athleteId, today);
    const resolution = resolveChanges(stored.map(specOf), state.plans, today);
    if (!resolution.ok) return { kind: 'stale', problems: resolution.problems };
    await applyChanges(trx, athleteId, resolution.changes);
    await resolveProposal(trx, athleteId, proposalId, 'applied');
    await rememberOutcome(
      trx,
      athleteId,
      `The athlete applied the plan change "${row.title}" (${resolution.changes.length} ${resolution.changes.length === 1 ? 'change' : 'changes'}).`,
    );
    return { kind: 'applied', title: row.title, changes: resolution.changes };
  });
}

/** Dismisses a pending proposal of the athlete's; nothing in the plan changes. */
export async function dismissProposal(db: Db, athleteId: string, proposalId: string): Promise<NotApplied> {
  return inTransaction(db, async (trx): Promise<NotApplied> => {
    const row = await lockProposal(trx, proposalId);
    if (!row) return { kind: 'not_found' };
    if (row.athlete_id !== athleteId) return { kind: 'not_yours' };
    if (row.status !== 'pending') return { kind: 'already', status: row.status };
    await resolveProposal(trx, athleteId, proposalId, 'dismissed');
    await rememberOutcome(
      trx,
      athleteId,
      `The athlete dismissed the plan change "${row.title}"; the plan was not changed.`,
    );
    return { kind: 'dismissed', title: row.title };
  });
}

/**
 * What became of a proposal goes into the conversation memory, so the next answer knows whether the plan
 * it reads is the one it proposed. Plan data is the athlete's own, never Strava's.
 */
async function rememberOutcome(db: Db, athleteId: string, text: string): Promise<void> {
  await insertCoachMessages(db, [
    { athlete_id: athleteId, role: 'assistant', content: text, strava_api_derived: false },
  ]);
}
