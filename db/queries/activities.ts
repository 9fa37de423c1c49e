import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { ActivityRow, ActivitySource, ActivityUpdate, NewActivityRow } from '../tables/activities.ts';

/** Activity rows: the write path's reads and writes (activities/), single reads and counts for the bot's replies. */

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

export function findActivity(db: Db, activityId: string): Promise<ActivityRow | undefined> {
  return db.selectFrom('activities').selectAll().where('id', '=', activityId).executeTakeFirst();
}

/** The activity holding a Strava id, whoever's it is (a Strava id is unique across athletes). */
export function findActivityByStravaId(db: Db, stravaId: string) {
  return db
    .selectFrom('activities')
    .select(['id', 'athlete_id', 'source', 'local_date', 'multisport_group'])
    .where('strava_id', '=', stravaId)
    .executeTakeFirst();
}

export async function insertActivity(db: Db, values: NewActivityRow): Promise<string> {
  const row = await db.insertInto('activities').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts the activity, or updates the one with its Strava id (`updated_at` set); returns its id. */
export async function upsertActivityByStravaId(db: Db, values: NewActivityRow): Promise<string> {
  const row = await db
    .insertInto('activities')
    .values(values)
    .onConflict((oc) => oc.column('strava_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateActivity(db: Db, activityId: string, changes: ActivityUpdate): Promise<void> {
  await db.updateTable('activities').set(changes).where('id', '=', activityId).execute();
}

export async function deleteActivity(db: Db, activityId: string): Promise<void> {
  await db.deleteFrom('activities').where('id', '=', activityId).execute();
}

/**
 * An activity as duplicate detection compares it — who, from where, when, how long — with the channels and
 * sample count of its streams (null without streams) and its analysed duration (null before analysis).
 */
function duplicateCandidates(db: Db) {
  return db
    .selectFrom('activities')
    .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.athlete_id',
      'activities.source',
      'activities.strava_id',
      'activities.local_date',
      'activities.name',
      'activities.sport_type',
      'activities.start_date',
      'activities.elapsed_time_s',
      'activities.moving_time_s',
      'activities.multisport_group',
      'activity_metrics.duration_s',
      'activity_streams.channels',
      'activity_streams.sample_count',
    ]);
}
export type DuplicateCandidateRow = Awaited<ReturnType<typeof duplicateCandidate>>;

export function duplicateCandidate(db: Db, activityId: string) {
  return duplicateCandidates(db).where('activities.id', '=', activityId).executeTakeFirstOrThrow();
}

/** The athlete's activities starting between `from` and `to`, except those of `excludeSource`. */
export function duplicateCandidatesStarting(
  db: Db,
  athleteId: string,
  from: Date,
  to: Date,
  excludeSource?: ActivitySource,
): Promise<DuplicateCandidateRow[]> {
  let query = duplicateCandidates(db)
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.start_date', '>=', from)
    .where('activities.start_date', '<=', to);
  if (excludeSource) query = query.where('activities.source', '!=', excludeSource);
  return query.execute();
}

/**
 * The athlete's multisport groups whose first leg starts between `from` and `to`: when it starts and the
 * seconds from that start to the end of its last leg.
 */
export function multisportGroupsStarting(db: Db, athleteId: string, from: Date, to: Date) {
  return db
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
    .where('start_date', '>=', from)
    .where('start_date', '<=', to)
    .groupBy('multisport_group')
    .execute();
}

/** The first leg of one of the athlete's multisport groups. */
export async function firstLegOf(db: Db, athleteId: string, multisportGroup: string): Promise<string> {
  const first = await db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', athleteId)
    .where('multisport_group', '=', multisportGroup)
    .orderBy('leg_index')
    .limit(1)
    .executeTakeFirstOrThrow();
  return first.id;
}

/** How many legs the activity's multisport group has (0 when it is not a leg), and its own duration. */
export function legCount(db: Db, activityId: string) {
  return db
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
}

/** The earliest local day of the athlete's activities from the Strava API (null: none). */
export async function firstStravaActivityDay(db: Db, athleteId: string): Promise<string | null> {
  const row = await db
    .selectFrom('activities')
    .select((eb) => eb.fn.min('local_date').as('first'))
    .where('athlete_id', '=', athleteId)
    .where('source', '=', 'strava_api')
    .executeTakeFirst();
  return row?.first ?? null;
}

/** Deletes the streams of the athlete's activities from the Strava API; returns how many. */
export async function deleteStravaStreams(db: Db, athleteId: string): Promise<number> {
  const deleted = await db
    .deleteFrom('activity_streams')
    .where('activity_id', 'in', (eb) =>
      eb
        .selectFrom('activities')
        .select('id')
        .where('athlete_id', '=', athleteId)
        .where('source', '=', 'strava_api'),
    )
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/**
 * Keeps the derived numbers of the athlete's Strava API activities but forgets what Strava gave: the
 * summary JSON, and the titles (labelled by their sport instead); their streams count as purged.
 */
export async function forgetStravaRawData(db: Db, athleteId: string): Promise<void> {
  await db
    .updateTable('activities')
    .set((eb) => ({
      summary: '{}',
      streams_state: 'purged',
      name: eb.ref('sport_type'),
      updated_at: new Date(),
    }))
    .where('athlete_id', '=', athleteId)
    .where('source', '=', 'strava_api')
    .execute();
}

/** Deletes the athlete's activities from the Strava API (their metrics go with them); returns how many. */
export async function deleteStravaActivities(db: Db, athleteId: string): Promise<number> {
  const deleted = await db
    .deleteFrom('activities')
    .where('athlete_id', '=', athleteId)
    .where('source', '=', 'strava_api')
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** Where an activity came from and whether its streams are here (a re-analysis may need them again). */
export function activityProvenance(
  db: Db,
  activityId: string,
): Promise<Pick<ActivityRow, 'id' | 'athlete_id' | 'source' | 'strava_id' | 'streams_state'> | undefined> {
  return db
    .selectFrom('activities')
    .select(['id', 'athlete_id', 'source', 'strava_id', 'streams_state'])
    .where('id', '=', activityId)
    .executeTakeFirst();
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
