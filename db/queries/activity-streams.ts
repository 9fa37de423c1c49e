import type { Db } from '../connect.ts';
import type { ActivityStreamsRow } from '../tables/activities.ts';

/** The gzipped stream JSON stored for an activity, if any. */
export async function storedStreamData(
  db: Db,
  activityId: string,
): Promise<ActivityStreamsRow['data'] | undefined> {
  const row = await db
    .selectFrom('activity_streams')
    .select('data')
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return row?.data;
}

/** The athlete's activities that have streams stored, by id. */
export async function activityIdsWithStreams(db: Db, athleteId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('activity_streams')
    .innerJoin('activities', 'activities.id', 'activity_streams.activity_id')
    .select('activity_streams.activity_id')
    .where('activities.athlete_id', '=', athleteId)
    .orderBy('activity_streams.activity_id')
    .execute();
  return rows.map((row) => row.activity_id);
}
