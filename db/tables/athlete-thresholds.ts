import type { Generated, Insertable, Selectable } from 'kysely';

export type ThresholdKind =
  | 'ftp'
  | 'run_ftp'
  | 'lthr'
  | 'max_hr'
  | 'rest_hr'
  | 'threshold_pace'
  | 'swim_threshold_pace';

export interface AthleteThresholdsTable {
  id: Generated<string>;
  athlete_id: string;
  kind: ThresholdKind;
  /** W (ftp, run_ftp), bpm, s per km (run pace) or s per 100 m (swim pace). */
  value: number;
  /** YYYY-MM-DD, the athlete-local day the value takes effect. */
  effective_date: string;
  source: Generated<'manual' | 'estimate' | 'import'>;
  created_at: Generated<Date>;
}
export type AthleteThresholdRow = Selectable<AthleteThresholdsTable>;
export type NewAthleteThresholdRow = Insertable<AthleteThresholdsTable>;
