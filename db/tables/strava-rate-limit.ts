import type { Generated, Selectable } from 'kysely';

export interface StravaRateLimitTable {
  id: Generated<number>;
  window_start: Date;
  day_start: Date;
  overall_15min: Generated<number>;
  overall_day: Generated<number>;
  read_15min: Generated<number>;
  read_day: Generated<number>;
  limit_overall_15min: Generated<number>;
  limit_overall_day: Generated<number>;
  limit_read_15min: Generated<number>;
  limit_read_day: Generated<number>;
  updated_at: Generated<Date>;
}
export type StravaRateLimitRow = Selectable<StravaRateLimitTable>;
