import type { Db } from '../connect.ts';
import type { ThresholdKind } from '../tables/athlete-thresholds.ts';
import type { ThresholdProposalRow } from '../tables/threshold-proposals.ts';

/** What the estimator reads per activity: its day, sport and stored metric set, from `since` on. */
export function estimateHistory(
  db: Db,
  athleteId: string,
  since: string,
  until: string,
): Promise<{ id: string; local_date: string; sport_type: string; metrics: unknown }[]> {
  return db
    .selectFrom('activities')
    .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select(['activities.id', 'activities.local_date', 'activities.sport_type', 'activity_metrics.metrics'])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.local_date', '>=', since)
    .where('activities.local_date', '<=', until)
    .orderBy('activities.local_date')
    .execute();
}

export interface NewProposal {
  kind: ThresholdKind;
  value: number;
  effectiveDate: string;
  method: string;
  source: string;
  activityId: string | null;
}

/**
 * Stores estimates from the whole history as pending proposals; earlier pending ones of the same kinds
 * are superseded (only the newest offer can be accepted).
 */
export async function replaceHistoryProposals(
  db: Db,
  athleteId: string,
  proposals: NewProposal[],
): Promise<ThresholdProposalRow[]> {
  if (proposals.length === 0) return [];
  await db
    .updateTable('threshold_proposals')
    .set({ status: 'superseded', resolved_at: new Date() })
    .where('athlete_id', '=', athleteId)
    .where('status', '=', 'pending')
    .where('activity_id', 'is', null)
    .where(
      'kind',
      'in',
      proposals.map((p) => p.kind),
    )
    .execute();
  return db
    .insertInto('threshold_proposals')
    .values(proposals.map((p) => toRow(athleteId, p)))
    .returningAll()
    .execute();
}

/** A proposal implied by one activity; at most one per activity and kind (null when it already exists). */
export function insertActivityProposal(
  db: Db,
  athleteId: string,
  proposal: NewProposal & { activityId: string },
): Promise<ThresholdProposalRow | undefined> {
  return db
    .insertInto('threshold_proposals')
    .values(toRow(athleteId, proposal))
    .onConflict((oc) => oc.columns(['activity_id', 'kind']).where('activity_id', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The athlete's own pending proposals among `ids` (a button never reaches another athlete's). */
export function pendingProposals(db: Db, athleteId: string, ids: string[]): Promise<ThresholdProposalRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('threshold_proposals')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
}

/** Resolves pending proposals; returns those this call resolved (a second press finds none). */
export function resolveProposals(
  db: Db,
  athleteId: string,
  ids: string[],
  status: 'accepted' | 'ignored',
): Promise<ThresholdProposalRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .updateTable('threshold_proposals')
    .set({ status, resolved_at: new Date() })
    .where('athlete_id', '=', athleteId)
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .returningAll()
    .execute();
}

function toRow(athleteId: string, p: NewProposal) {
  return {
    athlete_id: athleteId,
    kind: p.kind,
    value: p.value,
    effective_date: p.effectiveDate,
    method: p.method,
    source: p.source,
    activity_id: p.activityId,
  };
}

/** The local day of the athlete's first activity: where a first threshold value is dated from. */
export async function firstActivityDate(db: Db, athleteId: string): Promise<string | null> {
  const row = await db
    .selectFrom('activities')
    .select((eb) => eb.fn.min('local_date').as('first'))
    .where('athlete_id', '=', athleteId)
    .executeTakeFirst();
  return (row?.first as string | null | undefined) ?? null;
}

/** True once the athlete has been offered estimates from their history (any status). */
export async function hasHistoryProposals(db: Db, athleteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('threshold_proposals')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('activity_id', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
