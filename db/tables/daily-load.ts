import type { Generated, Insertable, Selectable } from 'kysely';

export interface DailyLoadTable {
  athlete_id: string;
  date: string;
  stress: number;
  ctl: number;
  atl: number;
  tsb: number;
  ramp: number;
  /** Which activity sources the day's stress rests on (provenance). */
  sources: Generated<string[]>;
}
export type DailyLoadRow = Selectable<DailyLoadTable>;
export type NewDailyLoadRow = Insertable<DailyLoadTable>;
