import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type ActivitySource = 'strava_api' | 'file_upload' | 'strava_export';

export interface ActivitiesTable {
  id: Generated<string>;
  athlete_id: string;
  source: ActivitySource;
  strava_id: string | null;
  name: Generated<string>;
  sport_type: string;
  start_date: Date;
  /** Wall-clock time where the activity happened (no zone). */
  start_date_local: string;
  local_date: string;
  timezone: string | null;
  distance_m: number | null;
  moving_time_s: number | null;
  elapsed_time_s: number | null;
  elevation_gain_m: number | null;
  manual: Generated<boolean>;
  private: Generated<boolean>;
  streams_state: Generated<'pending' | 'stored' | 'none' | 'purged'>;
  /** The legs of one multisport file share this (the delivery's source and reference); null otherwise. */
  multisport_group: string | null;
  /** 0-based position of the leg in its file; null when not a leg. */
  leg_index: number | null;
  /** Purged streams to fetch again at the athlete's next sync, then re-analyse. */
  streams_refetch_due: Generated<boolean>;
  summary: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type ActivityRow = Selectable<ActivitiesTable>;
export type NewActivityRow = Insertable<ActivitiesTable>;
export type ActivityUpdate = Updateable<ActivitiesTable>;

export interface ActivityStreamsTable {
  activity_id: string;
  channels: string[];
  sample_count: number;
  /** gzip of the key_by_type stream JSON. */
  data: Buffer;
  fetched_at: Generated<Date>;
}
export type ActivityStreamsRow = Selectable<ActivityStreamsTable>;
export type NewActivityStreamsRow = Insertable<ActivityStreamsTable>;
