import type { Generated, Insertable, Selectable } from 'kysely';
import type { Json } from './json.ts';

export type CoachProposalStatus = 'pending' | 'applied' | 'dismissed' | 'expired';

/** Plan changes the coach proposed; applied to planned_workouts only when the athlete confirms. */
export interface CoachProposalsTable {
  id: Generated<string>;
  athlete_id: string;
  title: string;
  /** The concrete changes (coach/plan-changes.ts `StoredChange[]`), validated when read. */
  changes: Json<unknown>;
  status: Generated<CoachProposalStatus>;
  created_at: Generated<Date>;
  expires_at: Generated<Date>;
  /** When it was applied, dismissed or found expired. */
  resolved_at: Date | null;
}
export type CoachProposalRow = Selectable<CoachProposalsTable>;
export type NewCoachProposalRow = Insertable<CoachProposalsTable>;
