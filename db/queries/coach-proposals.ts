import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { CoachProposalRow, CoachProposalStatus } from '../tables/coach-proposals.ts';
import { toJson } from '../tables/json.ts';

/** Stores a pending proposal (it expires after 7 days unless `expiresAt` says otherwise). */
export function insertProposal(
  db: Db,
  athleteId: string,
  proposal: { title: string; changes: unknown[]; expiresAt?: Date },
): Promise<CoachProposalRow> {
  return db
    .insertInto('coach_proposals')
    .values({
      athlete_id: athleteId,
      title: proposal.title,
      changes: toJson(proposal.changes),
      ...(proposal.expiresAt ? { expires_at: proposal.expiresAt } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One of the athlete's proposals (never another athlete's). */
export function findProposal(
  db: Db,
  athleteId: string,
  proposalId: string,
): Promise<CoachProposalRow | undefined> {
  return db
    .selectFrom('coach_proposals')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('id', '=', proposalId)
    .executeTakeFirst();
}

/**
 * A proposal locked for the rest of the transaction (a second press waits here, then sees it resolved),
 * with whether it has expired by the database clock.
 */
export function lockProposal(
  db: Db,
  proposalId: string,
): Promise<(CoachProposalRow & { expired: boolean }) | undefined> {
  return db
    .selectFrom('coach_proposals')
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('id', '=', proposalId)
    .forUpdate()
    .executeTakeFirst();
}

/** Resolves a pending proposal of the athlete; false when it was not pending (already resolved). */
export async function resolveProposal(
  db: Db,
  athleteId: string,
  proposalId: string,
  status: Exclude<CoachProposalStatus, 'pending'>,
): Promise<boolean> {
  const result = await db
    .updateTable('coach_proposals')
    .set({ status, resolved_at: new Date() })
    .where('athlete_id', '=', athleteId)
    .where('id', '=', proposalId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
