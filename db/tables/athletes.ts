import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AthletesTable {
  id: Generated<string>;
  discord_user_id: string;
  strava_athlete_id: string | null;
  name: string | null;
  sex: 'male' | 'female' | null;
  timezone: Generated<string>;
  /** Set in /settings; until then the zone follows the latest Strava activity. */
  timezone_chosen: Generated<boolean>;
  units: Generated<'metric' | 'imperial'>;
  digest_enabled: Generated<boolean>;
  digest_time: Generated<string>;
  digest_disabled_reason: string | null;
  ctl_days: Generated<number>;
  atl_days: Generated<number>;
  seed_ctl: Generated<number>;
  seed_atl: Generated<number>;
  digest_last_date: string | null;
  pending_notice: string | null;
  /** How forecasts count days without a plan (planning/forecast.ts). */
  forecast_unplanned: Generated<'zero' | 'recent_average'>;
  /** Highest heart rate in the athlete's stored activities, kept by a trigger on activity_metrics. */
  max_hr_seen: number | null;
  /** The console's demo athlete: never DMed, never counted as a real athlete. */
  demo: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type AthleteRow = Selectable<AthletesTable>;
export type NewAthleteRow = Insertable<AthletesTable>;
export type AthleteUpdate = Updateable<AthletesTable>;
