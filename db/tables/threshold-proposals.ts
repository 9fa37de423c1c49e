import type { Generated, Insertable, Selectable } from 'kysely';
import type { ThresholdKind } from './athlete-thresholds.ts';

/** A threshold estimated from the athlete's own history, offered with its source; applied only on Accept. */
export interface ThresholdProposalsTable {
  id: Generated<string>;
  athlete_id: string;
  kind: ThresholdKind;
  value: number;
  /** YYYY-MM-DD: the day an accepted value takes effect (a first value covers all history regardless). */
  effective_date: string;
  /** How it was estimated, e.g. `cp_fit`, `best_20min`. */
  method: string;
  /** What the athlete reads, e.g. "from your 20 min best of 263 W on 12 Nov". */
  source: string;
  /** The workout that implied a raised value; null for estimates from the whole history. */
  activity_id: string | null;
  status: Generated<'pending' | 'accepted' | 'ignored' | 'superseded'>;
  created_at: Generated<Date>;
  resolved_at: Date | null;
}
export type ThresholdProposalRow = Selectable<ThresholdProposalsTable>;
export type NewThresholdProposalRow = Insertable<ThresholdProposalsTable>;
