import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { toJson } from '../db/tables/json.ts';
import { analyzeStoredActivity, storeStreams } from './activity-store.ts';
import {
  compareRichness,
  describeRichness,
  ensureSourceRecorded,
  findDuplicate,
  markOthersReplaced,
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
  let byId = await db
    .selectFrom('activities')
    .select(['id', 'source', 'athlete_id'])
    .where('strava_id', '=', activity.id)
    .executeTakeFirst();
  if (byId && byId.athlete_id !== athleteId && byId.source !== 'strava_api') {
    // Another athlete's file claimed this id (an export's activities.csv is the athlete's word, the API is
    // Strava's): it is not theirs, so it loses the id rather than receive this athlete's data.
    await detachStravaDelivery(db, byId.id, activity.id);
    byId = undefined;
  }
  if (byId?.source === 'strava_api') return null;
  const duration = activity.elapsedTimeS ?? activity.movingTimeS ?? 0;
  const target = byId
    ? await findDuplicateOf(db, byId.id)
    : ((await findLegsSpanning(db, athleteId, activity.startDate, duration)) ??
      (await findDuplicate(db, athleteId, activity.startDate, duration, { excludeSource: 'strava_api' })));
  if (!target) return null;

  await ensureSourceRecorded(db, target.id);
  const channels = streams ? Object.keys(streams).sort() : [];
  const timeData = (streams?.time as { data?: unknown[] } | undefined)?.data;
  const samples = Array.isArray(timeData) ? timeData.length : 0;
  const richness = richnessOf(channels, samples);
  const comparison = `strava_api (${describeRichness(richness)}) vs ${target.source} (${describeRichness(target.richness)})`;
  // Strava's one activity for a whole multisport workout never replaces the file's legs (METRICS.md §1.5);
  // a Strava activity of one leg's own span is that leg, deduplicated like any file.
  const leg = await legOf(db, target.id);
  const wholeSpan = leg !== null && !sameDuration(leg.durationS, duration);
  const richer = !wholeSpan && streams !== null && compareRichness(richness, target.richness) > 0;
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
    await db
      .updateTable('activities')
      .set({
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
      })
      .where('id', '=', target.id)
      .execute();
    await storeStreams(db, target.id, streams);
    await markOthersReplaced(db, target.id, 'strava_api', activity.id, `replaced: ${reason}`);
    await recordSource(db, { ...base, kept: true, reason });
  } else {
    // The file's streams stay, and so do its name and summary: nothing from the API is copied in (the
    // coach's Strava firewall relies on source meaning where the data came from). Only the id is kept,
    // so later webhook events find this activity.
    const reason = wholeSpan
      ? `the whole multisport workout of which activity ${target.id} is the first leg; kept the file's ${leg.count} legs, each its own activity`
      : `same workout as activity ${target.id}; kept its ${target.source} streams, which are as rich or richer: ${comparison}`;
    await db
      .updateTable('activities')
      .set({ strava_id: activity.id, updated_at: new Date() })
      .where('id', '=', target.id)
      .execute();
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
  const groups = await db
    .selectFrom('activities')
    .select([
      'multisport_group',
      sql<Date>`min(start_date)`.as('first_start'),
      sql<number>`extract(epoch FROM max(start_date + make_interval(secs => coalesce(elapsed_time_s, moving_time_s, 0))) - min(start_date))::float8`.as(
        'span_s',
      ),
    ])
    .where('athlete_id', '=', athleteId)
    .where('multisport_group', 'is not', null)
    .where('start_date', '>=', new Date(start.getTime() - sameStartWithinMs - 86_400_000))
    .where('start_date', '<=', new Date(start.getTime() + 86_400_000))
    .groupBy('multisport_group')
    .execute();
  const match = groups.find(
    (g) =>
      Math.abs(new Date(g.first_start).getTime() - start.getTime()) <= sameStartWithinMs &&
      sameDuration(g.span_s, durationS),
  );
  if (!match) return null;
  const first = await db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('multisport_group', '=', match.multisport_group)
    .orderBy('leg_index')
    .limit(1)
    .executeTakeFirstOrThrow();
  return findDuplicateOf(db, first.id);
}

/** Whether an activity is a leg of a multisport file: of how many legs, and its own duration. */
async function legOf(db: Db, activityId: string): Promise<{ count: number; durationS: number } | null> {
  const row = await db
    .selectFrom('activities as leg')
    .innerJoin('activities as sibling', (join) =>
      join
        .onRef('sibling.athlete_id', '=', 'leg.athlete_id')
        .onRef('sibling.multisport_group', '=', 'leg.multisport_group'),
    )
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number>`coalesce(min(leg.elapsed_time_s), min(leg.moving_time_s), 0)::int`.as('duration_s'),
    ])
    .where('leg.id', '=', activityId)
    .executeTakeFirst();
  return row && row.count > 0 ? { count: row.count, durationS: row.duration_s } : null;
}

async function findDuplicateOf(db: Db, id: string) {
  const row = await db
    .selectFrom('activities')
    .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.source',
      'activity_streams.channels',
      'activity_streams.sample_count',
    ])
    .where('activities.id', '=', id)
    .executeTakeFirstOrThrow();
  return { id: row.id, source: row.source, richness: richnessOf(row.channels ?? [], row.sample_count ?? 0) };
}

/** A Strava delete for an activity whose data came from a file: forget the Strava id and its delivery. */
export async function detachStravaDelivery(db: Db, activityId: string, stravaId: string): Promise<void> {
  await db
    .updateTable('activities')
    .set({ strava_id: null, updated_at: new Date() })
    .where('id', '=', activityId)
    .execute();
  await db
    .deleteFrom('activity_sources')
    .where('activity_id', '=', activityId)
    .where('source', '=', 'strava_api')
    .where('source_ref', '=', stravaId)
    .execute();
}
