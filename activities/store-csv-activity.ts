import type { Db } from '../db/connect.ts';
import { insertActivity } from '../db/queries/activities.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { toJson } from '../db/tables/json.ts';
import { wallClock } from '../lib/local-time.ts';
import { analyzeStoredActivity, refuseImplausibleStart, storeStreams } from './activity-store.ts';
import { describeRichness, recordSource } from './dedup.ts';
import { alreadyImported, matchExisting, type StoredFileActivity } from './store-activity-file.ts';

/** One row of a Strava export's activities.csv, as far as the import needs it. */
export interface ExportActivity {
  id: string | null;
  name: string | null;
  /** Strava sport type, as the API spells it. */
  sport: string | null;
  /** As in the CSV: `activities/123.fit.gz`; null for activities without a file (manual entries). */
  fileName: string | null;
  /** Activity Date (Strava writes it in UTC), null when missing or in a format not read here. */
  startTime: Date | null;
  /** Seconds; null when missing. */
  elapsedS: number | null;
  movingS: number | null;
  /** Metres (the second "Distance" column; the first is in the athlete's display unit). */
  distanceM: number | null;
}

/** An activities.csv row without a file that still says when and how long: a manual entry on Strava. */
export type CsvOnlyActivity = ExportActivity & { startTime: Date; elapsedS: number };

/**
 * Stores an export's activity that has no file (a manual entry on Strava) from its activities.csv row,
 * as the Strava sync stores a manual activity: no streams, metrics from duration and sport. A workout the
 * athlete already has (same Strava id, or ±2 min and ±5 %) keeps its data: a row has nothing richer.
 * Call inside a transaction that holds the athlete's row lock.
 */
export async function storeCsvActivity(
  db: Db,
  athlete: AthleteRow,
  listed: CsvOnlyActivity,
  sourceRef: string,
): Promise<StoredFileActivity> {
  const already = await alreadyImported(db, athlete.id, 'strava_export', sourceRef);
  if (already) return { ...already, reason: 'this activity was imported before' };
  refuseImplausibleStart(listed.startTime);
  const base = {
    athleteId: athlete.id,
    source: 'strava_export' as const,
    sourceRef,
    channels: [],
    samples: 0,
    warnings: [],
  };
  const { duplicate, stravaId } = await matchExisting(
    db,
    athlete.id,
    listed.id ?? null,
    listed.startTime,
    listed.elapsedS,
  );
  if (duplicate) {
    const reason = `same workout as activity ${duplicate.id}; kept its ${duplicate.source} data: the export lists this one without a file (${describeRichness({ quantities: [], samples: 0 })})`;
    await recordSource(db, { ...base, activityId: duplicate.id, kept: false, reason });
    return { activityId: duplicate.id, status: 'duplicate', reason, changedFrom: null };
  }
  const sport = listed.sport ?? 'Workout';
  const local = wallClock(listed.startTime, athlete.timezone);
  const activityId = await insertActivity(db, {
    athlete_id: athlete.id,
    source: 'strava_export',
    strava_id: stravaId,
    name: (listed.name ?? sport).slice(0, 200),
    sport_type: sport,
    start_date: listed.startTime,
    start_date_local: local.dateTime,
    local_date: local.date,
    timezone: athlete.timezone,
    distance_m: listed.distanceM,
    moving_time_s: listed.movingS,
    elapsed_time_s: listed.elapsedS,
    manual: true,
    summary: toJson({ csv: { activityId: listed.id, withoutFile: true } }),
  });
  await storeStreams(db, activityId, null);
  const reason = 'first delivery of this workout (activities.csv, no file)';
  await recordSource(db, { ...base, activityId, kept: true, reason });
  const localDate = await analyzeStoredActivity(db, activityId);
  return { activityId, status: 'created', reason, changedFrom: localDate };
}
