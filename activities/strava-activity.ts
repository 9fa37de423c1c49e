/** The fields of a Strava activity (summary or detail) the product uses. */
export interface StravaActivity {
  id: string;
  name: string;
  sportType: string;
  startDate: Date;
  /** Local wall-clock time, 'YYYY-MM-DD HH:MM:SS' (Strava's start_date_local without its misleading Z). */
  startDateLocal: string;
  timezone: string | null;
  distanceM: number | null;
  movingTimeS: number | null;
  elapsedTimeS: number | null;
  elevationGainM: number | null;
  manual: boolean;
  private: boolean;
  /** Strava's JSON as received, kept for provenance and re-analysis. */
  raw: Record<string, unknown>;
}
