import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type PlanStatus = 'planned' | 'done' | 'missed' | 'moved';
export type ForecastUnplanned = 'zero' | 'recent_average';

/** Targets of a planned workout; each a [low, high] range. */
export interface PlanTarget {
  power_w?: [number, number];
  /** Seconds per km. */
  pace_s_per_km?: [number, number];
  hr_bpm?: [number, number];
}

export interface PlannedWorkoutsTable {
  id: Generated<string>;
  athlete_id: string;
  date: string;
  sport: string;
  title: string;
  description: string | null;
  planned_duration_s: number | null;
  planned_stress: number | null;
  target: ColumnType<PlanTarget | null, string | null | undefined, string | null>;
  status: Generated<PlanStatus>;
  /** The date it was planned for before the athlete moved it. */
  moved_from: string | null;
  activity_id: string | null;
  /** 'none': the athlete said no activity fulfils it. */
  matched_by: 'auto' | 'manual' | 'none' | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type PlannedWorkoutRow = Selectable<PlannedWorkoutsTable>;
export type NewPlannedWorkoutRow = Insertable<PlannedWorkoutsTable>;

export interface RaceGoalsTable {
  id: Generated<string>;
  athlete_id: string;
  date: string;
  name: string;
  target_tsb: number | null;
  created_at: Generated<Date>;
}
export type RaceGoalRow = Selectable<RaceGoalsTable>;
