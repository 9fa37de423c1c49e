import { gunzipSync, gzipSync } from 'node:zlib';
import type { Db } from '../db/connect.ts';
import { findActivity, findActivityByStravaId, upsertActivityByStravaId } from '../db/queries/activities.ts';
import { saveActivityMetrics } from '../db/queries/activity-metrics.ts';
import { deleteStreams, saveStreams, streamsData } from '../db/queries/activity-streams.ts';
import { findAthleteById, listThresholds, thresholdsOn } from '../db/queries/athletes.ts';
import type { ActivitySource } from '../db/tables/activities.ts';
import { toJson } from '../db/tables/json.ts';
import { AppError } from '../lib/errors.ts';
import { analyzeActivity } from './analyzer.ts';
import type { StravaActivity } from './strava-activity.ts';

export interface StoredActivity {
  id: string;
  localDate: string;
  /** The local date before this update, when the activity existed and moved days (its old day needs a PMC recompute too). */
  previousLocalDate: string | null;
  created: boolean;
}

/** Activities before this are refused: no GPS or power file predates it; such a date is a clock fault. */
const earliestActivityStart = new Date('1990-01-01T00:00:00Z');
/** How far ahead of now an activity may start (time zones, a device clock a little fast). */
const maxActivityStartAheadMs = 24 * 3600_000;

/**
 * Refuses an activity whose start is before 1990 or more than a day in the future, wherever it comes from
 * (Strava, an upload, an export): one such date stretched the PMC over thousands of empty days.
 */
export function refuseImplausibleStart(start: Date, now: Date = new Date()): void {
  const day = Number.isNaN(start.getTime()) ? 'an invalid date' : start.toISOString().slice(0, 10);
  if (Number.isNaN(start.getTime()) || start.getTime() < earliestActivityStart.getTime()) {
    throw new AppError('bad_request', {
      message: `activity start ${day} is before 1990; refused`,
      userMessage: `This activity is dated ${day}, before 1990 — most likely the recording device's clock was not set. It was not imported.`,
    });
  }
  if (start.getTime() > now.getTime() + maxActivityStartAheadMs) {
    throw new AppError('bad_request', {
      message: `activity start ${day} is more than a day in the future; refused`,
      userMessage: `This activity is dated ${day}, more than a day in the future — most likely the recording device's clock is wrong. It was not imported.`,
    });
  }
}

/** Inserts or updates an activity by its Strava id; idempotent. */
export async function upsertStravaActivity(
  db: Db,
  athleteId: string,
  activity: StravaActivity,
  source: ActivitySource = 'strava_api',
): Promise<StoredActivity> {
  refuseImplausibleStart(activity.startDate);
  const localDate = activity.startDateLocal.slice(0, 10);
  const previous = await findActivityByStravaId(db, activity.id);
  const values = {
    athlete_id: athleteId,
    source,
    strava_id: activity.id,
    name: activity.name,
    sport_type: activity.sportType,
    start_date: activity.startDate,
    start_date_local: activity.startDateLocal,
    local_date: localDate,
    timezone: activity.timezone,
    distance_m: nonNegative(activity.distanceM),
    moving_time_s: nonNegativeInt(activity.movingTimeS),
    elapsed_time_s: nonNegativeInt(activity.elapsedTimeS),
    elevation_gain_m: nonNegative(activity.elevationGainM),
    manual: activity.manual,
    private: activity.private,
    summary: toJson(activity.raw),
  };
  const id = await upsertActivityByStravaId(db, values);
  return {
    id,
    localDate,
    previousLocalDate: previous && previous.local_date !== localDate ? previous.local_date : null,
    created: previous === undefined,
  };
}

/** Stores the stream set (gzip'd JSON), or records that the activity has none. */
export async function storeStreams(
  db: Db,
  activityId: string,
  streams: Record<string, unknown> | null,
): Promise<void> {
  if (!streams) {
    await deleteStreams(db, activityId);
    return;
  }
  const channels = Object.keys(streams).sort();
  const time = streams.time as { data?: unknown[] } | undefined;
  await saveStreams(db, {
    activity_id: activityId,
    channels,
    sample_count: Array.isArray(time?.data) ? time.data.length : 0,
    data: gzipSync(JSON.stringify(streams)),
    fetched_at: new Date(),
  });
}

export async function loadStreams(db: Db, activityId: string): Promise<Record<string, unknown> | null> {
  const data = await streamsData(db, activityId);
  return data ? (JSON.parse(gunzipSync(data).toString('utf8')) as Record<string, unknown>) : null;
}

/**
 * Analyses a stored activity with the thresholds in effect on its local date and stores its metrics.
 * Returns the activity's local date (where the PMC must be recomputed from).
 */
export async function analyzeStoredActivity(db: Db, activityId: string): Promise<string> {
  const activity = await findActivity(db, activityId);
  if (!activity) throw new Error(`no activity ${activityId}`);
  // The history's highest heart rate is kept on the athlete as metrics are written (a trigger), so this
  // costs the same at 10 years of history as at one activity.
  const athlete = await findAthleteById(db, activity.athlete_id);
  if (!athlete) throw new Error(`no athlete ${activity.athlete_id}`);
  const [streams, thresholdRows] = await Promise.all([
    loadStreams(db, activityId),
    listThresholds(db, athlete.id),
  ]);
  const result = analyzeActivity({
    streams,
    sport: activity.sport_type,
    thresholds: thresholdsOn(thresholdRows, activity.local_date),
    sex: athlete.sex,
    historyMaxHr: athlete.max_hr_seen,
    movingTimeS: activity.moving_time_s,
    elapsedTimeS: activity.elapsed_time_s,
    distanceM: activity.distance_m,
  });
  await saveActivityMetrics(db, {
    activity_id: activityId,
    athlete_id: athlete.id,
    stress: finiteOr(result.stress, 0),
    stress_method: result.method,
    duration_s: Math.round(finiteOr(result.durationS, 0)),
    moving_s: Math.round(finiteOr(result.movingS, 0)),
    np_w: finiteOrNull(result.npW),
    intensity: finiteOrNull(result.intensity),
    avg_hr: finiteOrNull(result.avgHr),
    max_hr: nonNegative(result.maxHr),
    decoupling_pct: finiteOrNull(result.decouplingPct),
    metrics: toJson(result.metrics),
    thresholds_used: toJson(result.thresholdsUsed),
    computed_at: new Date(),
  });
  return activity.local_date;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
function nonNegative(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value >= 0 ? value : null;
}
function nonNegativeInt(value: number | null): number | null {
  const v = nonNegative(value);
  return v === null ? null : Math.round(v);
}
