import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** Reads of single activities and counts over an athlete's activities, for the bot's replies. */

/** The activity and its metrics as the upload reply shows them. */
export async function activityWithMetrics(db: Db, activityId: string) {
  const [activity, metrics] = await Promise.all([
    db
      .selectFrom('activities')
      .select(['name', 'sport_type', 'start_date_local', 'distance_m'])
      .where('id', '=', activityId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('activity_metrics')
      .select([
        'stress',
        'stress_method',
        'duration_s',
        'moving_s',
        'np_w',
        'intensity',
        'avg_hr',
        'decoupling_pct',
      ])
      .where('activity_id', '=', activityId)
      .executeTakeFirst(),
  ]);
  return { activity, metrics: metrics ?? null };
}

/** How many of the athlete's activities rest on estimates: no streams, estimated stress, HR-only stress. */
export function metricsCoverage(db: Db, athleteId: string) {
  return db
    .selectFrom('activities')
    .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      sql<number>`count(*) FILTER (WHERE activities.streams_state IN ('none', 'pending'))::int`.as(
        'no_streams',
      ),
      sql<number>`count(*) FILTER (WHERE activity_metrics.stress_method = 'estimated')::int`.as('estimated'),
      sql<number>`count(*) FILTER (WHERE activity_metrics.stress_method = 'hr' AND activities.sport_type ILIKE '%ride%')::int`.as(
        'rides_on_hr',
      ),
      sql<number>`count(*) FILTER (WHERE activity_metrics.stress_method = 'hr' AND activities.sport_type ILIKE '%run%')::int`.as(
        'runs_on_hr',
      ),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .executeTakeFirstOrThrow();
}

/** The athlete's activities from the Strava API, and how many of them have streams stored. */
export function stravaActivityCounts(db: Db, athleteId: string) {
  return db
    .selectFrom('activities')
    .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
    .select([
      sql<number>`count(*)::int`.as('activities'),
      sql<number>`count(activity_streams.activity_id)::int`.as('streams'),
    ])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.source', '=', 'strava_api')
    .executeTakeFirstOrThrow();
}

/** True when `activityId` is one of the athlete's activities. */
export async function ownsActivity(db: Db, athleteId: string, activityId: string): Promise<boolean> {
  const row = await db
    .selectFrom('activities')
    .select('id')
    .where('id', '=', activityId)
    .where('athlete_id', '=', athleteId)
    .executeTakeFirst();
  return row !== undefined;
}

/** True when the athlete has any activity at all. */
export async function hasActivities(db: Db, athleteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
