import type { Generated, Insertable, Selectable } from 'kysely';
import type { ActivitySource } from './activities.ts';
import type { Json } from './json.ts';

/** One delivery of a workout by one source; `kept` marks the one whose streams the activity uses. */
export interface ActivitySourcesTable {
  id: Generated<string>;
  activity_id: string;
  athlete_id: string;
  source: ActivitySource;
  /** Strava id, export activity id, or the file's sha256: unique per athlete and source. */
  source_ref: string;
  file_name: string | null;
  format: 'fit' | 'tcx' | 'gpx' | null;
  channels: Generated<string[]>;
  sample_count: Generated<number>;
  kept: boolean;
  /** Why these streams were (or were not) kept, in words. */
  reason: string;
  warnings: Json<string[]>;
  received_at: Generated<Date>;
}
export type ActivitySourceRow = Selectable<ActivitySourcesTable>;
export type NewActivitySourceRow = Insertable<ActivitySourcesTable>;
