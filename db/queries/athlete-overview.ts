import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** What an operator (cli athlete) or the athlete (/status) sees of one athlete's data, in one read. */
export async function athleteOverview(db: Db, athleteId: string, today: string) {
  const [connection, thresholds, counts, recent, load, lastRun] = await Promise.all([
    db
      .selectFrom('strava_connections')
      .select(['status', 'scope', 'expires_at', 'updated_at'])
      .where('athlete_id', '=', athleteId)
      .executeTakeFirst(),
    db
      .selectFrom('athlete_thresholds')
      .select(['kind', 'value', 'effective_date', 'source'])
      .where('athlete_id', '=', athleteId)
      .orderBy('kind')
      .orderBy('effective_date')
      .execute(),
    db
      .selectFrom('activities')
      .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        sql<number>`count(*)::int`.as('activities'),
        sql<number>`count(*) FILTER (WHERE activities.streams_state = 'stored')::int`.as('with_streams'),
        sql<number>`count(*) FILTER (WHERE activity_metrics.stress_method = 'estimated')::int`.as(
          'estimated',
        ),
        sql<number>`count(*) FILTER (WHERE activity_metrics.activity_id IS NULL)::int`.as('without_metrics'),
      ])
      .where('activities.athlete_id', '=', athleteId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('activities')
      .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.id',
        'activities.strava_id',
        'activities.source',
        'activities.name',
        'activities.sport_type',
        'activities.local_date',
        'activities.moving_time_s',
        'activities.distance_m',
        'activity_metrics.stress',
        'activity_metrics.stress_method',
      ])
      .where('activities.athlete_id', '=', athleteId)
      .orderBy('activities.start_date', 'desc')
      .limit(10)
      .execute(),
    db
      .selectFrom('daily_load')
      .select(['date', 'stress', 'ctl', 'atl', 'tsb', 'ramp'])
      .where('athlete_id', '=', athleteId)
      .where('date', '<=', today)
      .orderBy('date', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('sync_runs')
      .selectAll()
      .where('athlete_id', '=', athleteId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { connection, thresholds, counts, recent, load, lastRun };
}
