import type { Generated } from 'kysely';

/** Stored activities still to re-analyse under the current metric rules (one-time, see its migration). */
export interface MetricsReanalysisQueueTable {
  activity_id: string;
  athlete_id: string;
  start_date: Date;
  attempts: Generated<number>;
  last_error: string | null;
}

/** Athletes of that re-analysis whose PMC is still to recompute once it is through. */
export interface MetricsReanalysisAthletesTable {
  athlete_id: string;
  max_hr_reset: Generated<boolean>;
}
