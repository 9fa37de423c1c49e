import type { Db } from '../connect.ts';

/** Every activity of the athlete up to `to` with what /week counts (fitness per sport needs them all). */
export function weekActivities(db: Db, athleteId: string, to: string) {
  return db
    .selectFrom('activities as a')
    .leftJoin('activity_metrics as m', 'm.activity_id', 'a.id')
    .select([
      'a.local_date as date',
      'a.sport_type as sport',
      'a.moving_time_s as movingS',
      'a.distance_m as distanceM',
      'a.elevation_gain_m as elevationM',
      'm.stress as stress',
    ])
    .where('a.athlete_id', '=', athleteId)
    .where('a.local_date', '<=', to)
    .orderBy('a.local_date')
    .execute();
}
