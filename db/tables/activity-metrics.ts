import type { Generated, Insertable, Selectable } from 'kysely';
import type { Json } from './json.ts';

export type StressMethod = 'power' | 'pace' | 'swim' | 'hr' | 'estimated';

export interface ActivityMetricsTable {
  activity_id: string;
  athlete_id: string;
  stress: number;
  stress_method: StressMethod;
  duration_s: number;
  moving_s: number;
  np_w: number | null;
  intensity: number | null;
  avg_hr: number | null;
  /** Highest heart rate of the activity; feeds athletes.max_hr_seen (kept by a trigger). */
  max_hr: number | null;
  decoupling_pct: number | null;
  /** The engine's full result (the analyze CLI's JSON shape). */
  metrics: Json<Record<string, unknown>>;
  thresholds_used: Json<Record<string, unknown>>;
  computed_at: Generated<Date>;
}
export type ActivityMetricsRow = Selectable<ActivityMetricsTable>;
export type NewActivityMetricsRow = Insertable<ActivityMetricsTable>;
