import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { ActivityRow, ActivitySource, NewActivityRow } from '../tables/activities.ts';
import type { NewActivityMetricsRow } from '../tables/activity-metrics.ts';

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

/** The stored activity of a Strava id, whoever's it is. */
export function findActivityByStravaId(
  db: Db,
  stravaId: string,
): Promise<Pick<ActivityRow, 'id'> | undefined> {
  return db.selectFrom('activities').select('id').where('strava_id', '=', stravaId).executeTakeFirst();
}

/** Where an activity came from and whether its streams are here (a re-analysis may need them again). */
export function activityProvenance(
  db: Db,
  activityId: string,
): Promise<Pick<ActivityRow, 'id' | 'athlete_id' | 'source' | 'strava_id' | 'streams_state'>> {
  return db
    .selectFrom('activities')
    .select(['id', 'athlete_id', 'source', 'strava_id', 'streams_state'])
    .where('id', '=', activityId)
    .executeTakeFirstOrThrow();
}

/** The athlete's activities on or after the local day `from` (null: all), oldest first. */
export function activityIdsFrom(
  db: Db,
  athleteId: string,
  from: string | null,
): Promise<Pick<ActivityRow, 'id'>[]> {
  let query = db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .orderBy('start_date');
  if (from) query = query.where('local_date', '>=', from);
  return query.execute();
}

/** The ids of every leg of the athlete's multisport file that `activityId` is a leg of (none otherwise). */
export async function multisportLegIds(db: Db, athleteId: string, activityId: string): Promise<string[]> {
  const legs = await db
    .selectFrom('activities as a')
    .innerJoin('activities as first', 'first.multisport_group', 'a.multisport_group')
    .select('a.id')
    .where('first.id', '=', activityId)
    .where('a.athlete_id', '=', athleteId)
    .execute();
  return legs.map((leg) => leg.id);
}

/**
 * Deletes the athlete's Strava API activities with their streams, or with `keepDerived` only their
 * streams, Strava summaries and titles (the derived numbers stay, labelled by sport). Other sources are
 * never touched. `firstDay`: the earliest local day of those activities (null when there are none).
 */
export async function forgetStravaActivities(
  db: Db,
  athleteId: string,
  keepDerived: boolean,
): Promise<{ firstDay: string | null; streamsDeleted: number; activitiesDeleted: number }> {
  const stravaActivities = db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('source', '=', 'strava_api');
  const earliest = await db
    .selectFrom('activities')
    .select((eb) => eb.fn.min('local_date').as('first'))
    .where('athlete_id', '=', athleteId)
    .where('source', '=', 'strava_api')
    .executeTakeFirst();
  const streams = await db
    .deleteFrom('activity_streams')
    .where('activity_id', 'in', stravaActivities)
    .executeTakeFirst();
  let activitiesDeleted = 0;
  if (keepDerived) {
    await db
      .updateTable('activities')
      // Titles are Strava data too: the kept numbers are labelled by their sport instead.
      .set((eb) => ({
        summary: '{}',
        streams_state: 'purged',
        name: eb.ref('sport_type'),
        updated_at: new Date(),
      }))
      .where('athlete_id', '=', athleteId)
      .where('source', '=', 'strava_api')
      .execute();
  } else {
    const deleted = await db
      .deleteFrom('activities')
      .where('athlete_id', '=', athleteId)
      .where('source', '=', 'strava_api')
      .executeTakeFirst();
    activitiesDeleted = Number(deleted.numDeletedRows);
  }
  return {
    firstDay: earliest?.first ?? null,
    streamsDeleted: Number(streams.numDeletedRows),
    activitiesDeleted,
  };
}

/** How many activities the athlete has. */
export async function countActivities(db: Db, athleteId: string): Promise<number> {
  const row = await db
    .selectFrom('activities')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('athlete_id', '=', athleteId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Those of `ids` that are the athlete's (and, given `sources`, of those sources), in order of start. */
export function activitiesByIds(
  db: Db,
  athleteId: string,
  ids: string[],
  sources?: ActivitySource[],
): Promise<Pick<ActivityRow, 'id' | 'local_date' | 'name'>[]> {
  let q = db
    .selectFrom('activities')
    .select(['id', 'local_date', 'name'])
    .where('athlete_id', '=', athleteId)
    .where('id', 'in', ids);
  if (sources) q = q.where('source', 'in', sources);
  return q.orderBy('start_date').execute();
}

/** Stress per local day of the athlete's activities of the given sources only, through `until`. */
export async function stressByDayOfSources(
  db: Db,
  athleteId: string,
  sources: ActivitySource[],
  until: string,
): Promise<{ date: string; stress: number; sources: string[] }[]> {
  const { rows } = await sql<{ date: string; stress: number; sources: string[] }>`
    SELECT to_char(a.local_date, 'YYYY-MM-DD') AS date,
           coalesce(sum(m.stress), 0)::float8 AS stress,
           array_agg(DISTINCT a.source) AS sources
    FROM activities a JOIN activity_metrics m ON m.activity_id = a.id
    WHERE a.athlete_id = ${athleteId} AND a.source = ANY(${sources}::text[]) AND a.local_date <= ${until}::date
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

/** The stress, day and source of every scored activity of the athlete (unordered). */
export function activityStresses(
  db: Db,
  athleteId: string,
): Promise<{ local_date: string; source: ActivitySource; stress: number }[]> {
  return db
    .selectFrom('activities')
    .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select(['activities.local_date', 'activities.source', 'activity_metrics.stress'])
    .where('activities.athlete_id', '=', athleteId)
    .execute();
}

/** Stores an activity row as given (the coach's fixtures; deliveries go through activities/). */
export async function insertActivityRow(db: Db, activity: NewActivityRow): Promise<string> {
  const row = await db.insertInto('activities').values(activity).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Stores an activity's metrics row as given (the coach's fixtures; deliveries go through activities/). */
export async function insertActivityMetricsRow(db: Db, metrics: NewActivityMetricsRow): Promise<void> {
  await db.insertInto('activity_metrics').values(metrics).execute();
}
