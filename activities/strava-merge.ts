import type { Db } from '../db/connect.ts';
import {
  findActivityByStravaId,
  firstLegOf,
  legCount,
  multisportGroupsStarting,
  updateActivity,
} from '../db/queries/activities.ts';
import { deleteActivitySource } from '../db/queries/activity-sources.ts';
import { toJson } from '../db/tables/json.ts';
import { analyzeStoredActivity, storeStreams } from './activity-store.ts';
import {
  compareDeliveries,
  ensureSourceRecorded,
  findDuplicate,
  findDuplicateById,
  recordKeptSource,
  recordSource,
  richnessOf,
  sameDuration,
  sameStartWithinMs,
} from './dedup.ts';
import type { StravaActivity } from './strava-activity.ts';

/**
 * The Strava sync's duplicate check: when an activity from the API is a workout the athlete already
 * uploaded as a file or imported from an export, it joins that activity instead of becoming a second one.
 * The richer streams are kept. Returns null when there is no such activity (the normal Strava path
 * applies). Call inside the sync's transaction, after it locked the athlete.
 */
export async function mergeStravaDelivery(
  db: Db,
  athleteId: string,
  activity: StravaActivity,
  streams: Record<string, unknown> | null,
): Promise<{ activityId: string; changedFrom: string } | null> {
  let byId = await findActivityByStravaId(db, activity.id);
  if (byId && byId.athlete_id !== athleteId && byId.source !== 'strava_api') {
    // Another athlete's file claimed this id (an export's activities.csv is the athlete's word, the API is
    // Strava's): it is not theirs, so it loses the id rather than receive this athlete's data.
    await detachStravaDelivery(db, byId.id, activity.id);
    byId = undefined;
  }
  if (byId?.source === 'strava_api') return null;
  const duration = activity.elapsedTimeS ?? activity.movingTimeS ?? 0;
  const target = byId
    ? await findDuplicateById(db, byId.id)
    : ((await findLegsSpanning(db, athleteId, activity.startDate, duration)) ??
      (await findDuplicate(db, athleteId, activity.startDate, duration, {
        excludeSource: 'strava_api',
      })));
  if (!target) return null;

  await ensureSourceRecorded(db, target.id);
  const channels = streams ? Object.keys(streams).sort() : [];
  const timeData = (streams?.time as { data?: unknown[] } | undefined)?.data;
  const samples = Array.isArray(timeData) ? timeData.length : 0;
  const richness = richnessOf(channels, samples);
  const { richer: richerStreams, comparison } = compareDeliveries({ source: 'strava_api', richness }, target);
  // Strava's one activity for a whole multisport workout never replaces the file's legs (METRICS.md §1.5);
  // a Strava activity of one leg's own span is that leg, deduplicated like any file.
  const leg = await legOf(db, target.id);
  const wholeSpan = leg !== null && !sameDuration(leg.durationS, duration);
  const richer = !wholeSpan && streams !== null && richerStreams;
  const base = {
    activityId: target.id,
    athleteId,
    source: 'strava_api' as const,
    sourceRef: activity.id,
    channels,
    samples,
  };
  if (richer) {
    const reason = `same workout as activity ${target.id}; kept the strava_api streams, which are richer: ${comparison}`;
    await updateActivity(db, target.id, {
      source: 'strava_api',
      strava_id: activity.id,
      name: activity.name,
      sport_type: activity.sportType,
      distance_m: activity.distanceM,
      moving_time_s: activity.movingTimeS === null ? null : Math.round(activity.movingTimeS),
      elapsed_time_s: activity.elapsedTimeS === null ? null : Math.round(activity.elapsedTimeS),
      elevation_gain_m: activity.elevationGainM,
      manual: activity.manual,
      summary: toJson(activity.raw),
      updated_at: new Date(),
    });
    await storeStreams(db, target.id, streams);
    await recordKeptSource(db, { ...base, reason });
  } else {
    // The file's streams stay, and so do its name and summary: nothing from the API is copied in (the
    // coach's Strava firewall relies on source meaning where the data came from). Only the id is kept,
    // so later webhook events find this activity.
    const reason = wholeSpan
      ? `the whole multisport workout of which activity ${target.id} is the first leg; kept the file's ${leg.count} legs, each its own activity`
      : `same workout as activity ${target.id}; kept its ${target.source} streams, which are as rich or richer: ${comparison}`;
    await updateActivity(db, target.id, { strava_id: activity.id, updated_at: new Date() });
    await recordSource(db, { ...base, kept: false, reason });
  }
  const localDate = await analyzeStoredActivity(db, target.id);
  return { activityId: target.id, changedFrom: localDate };
}

/**
 * The first leg of a multisport file whose legs together span this start and duration (±2 min, ±5 %):
 * Strava's single activity for the workout the legs already are.
 */
async function findLegsSpanning(db: Db, athleteId: string, start: Date, durationS: number) {
  const groups = await multisportGroupsStarting(
    db,
    athleteId,
    new Date(start.getTime() - sameStartWithinMs - 86_400_000),
    new Date(start.getTime() + 86_400_000),
  );
  const match = groups.find(
    (g) =>
      Math.abs(new Date(g.first_start).getTime() - start.getTime()) <= sameStartWithinMs &&
      sameDuration(g.span_s, durationS),
  );
  if (!match?.multisport_group) return null;
  return findDuplicateById(db, await firstLegOf(db, athleteId, match.multisport_group));
}

/** Whether an activity is a leg of a multisport file: of how many legs, and its own duration. */
async function legOf(db: Db, activityId: string): Promise<{ count: number; durationS: number } | null> {
  const row = await legCount(db, activityId);
  return row && row.count > 0 ? { count: row.count, durationS: row.duration_s } : null;
}

/** A Strava delete for an activity whose data came from a file: forget the Strava id and its delivery. */
export async function detachStravaDelivery(db: Db, activityId: string, stravaId: string): Promise<void> {
  await updateActivity(db, activityId, { strava_id: null, updated_at: new Date() });
  await deleteActivitySource(db, activityId, 'strava_api', stravaId);
}
