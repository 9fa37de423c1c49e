import { sql } from 'kysely';
import type { Db } from '../connect.ts';

/** Read models of an athlete's training, shared by the bot commands, the digest and the coach. */

export interface ActivityListItem {
  id: string;
  stravaId: string | null;
  source: string;
  name: string;
  sport: string;
  date: string;
  startDateLocal: string;
  movingS: number | null;
  distanceM: number | null;
  elevationM: number | null;
  stress: number | null;
  method: string | null;
  npW: number | null;
  intensity: number | null;
  avgHr: number | null;
  decouplingPct: number | null;
}

export async function activitiesInRange(
  db: Db,
  athleteId: string,
  query: {
    from?: string;
    to?: string;
    sport?: string | null;
    limit: number;
    sources?: string[];
    nameLike?: string;
  },
): Promise<ActivityListItem[]> {
  let q = db
    .selectFrom('activities')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.strava_id',
      'activities.source',
      'activities.name',
      'activities.sport_type',
      'activities.local_date',
      'activities.start_date_local',
      'activities.moving_time_s',
      'activities.distance_m',
      'activities.elevation_gain_m',
      'activity_metrics.stress',
      'activity_metrics.stress_method',
      'activity_metrics.np_w',
      'activity_metrics.intensity',
      'activity_metrics.avg_hr',
      'activity_metrics.decoupling_pct',
    ])
    .where('activities.athlete_id', '=', athleteId);
  if (query.from) q = q.where('activities.local_date', '>=', query.from);
  if (query.to) q = q.where('activities.local_date', '<=', query.to);
  if (query.sport) q = q.where('activities.sport_type', 'ilike', `%${query.sport.replace(/[%_]/g, '')}%`);
  if (query.sources)
    q = q.where(
      'activities.source',
      'in',
      query.sources as ('strava_api' | 'file_upload' | 'strava_export')[],
    );
  if (query.nameLike) q = q.where('activities.name', 'ilike', `%${query.nameLike.replace(/[%_]/g, '')}%`);
  const rows = await q.orderBy('activities.start_date', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    stravaId: r.strava_id,
    source: r.source,
    name: r.name,
    sport: r.sport_type,
    date: r.local_date,
    startDateLocal: r.start_date_local,
    movingS: r.moving_time_s,
    distanceM: r.distance_m,
    elevationM: r.elevation_gain_m,
    stress: r.stress,
    method: r.stress_method,
    npW: r.np_w,
    intensity: r.intensity,
    avgHr: r.avg_hr,
    decouplingPct: r.decoupling_pct,
  }));
}

/** One activity with its full metric set, only if it belongs to the athlete. */
export async function activityDetail(db: Db, athleteId: string, activityId: string) {
  if (!/^\d+$/.test(activityId)) return undefined;
  return db
    .selectFrom('activities')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.strava_id',
      'activities.source',
      'activities.name',
      'activities.sport_type',
      'activities.local_date',
      'activities.start_date_local',
      'activities.moving_time_s',
      'activities.elapsed_time_s',
      'activities.distance_m',
      'activities.elevation_gain_m',
      'activities.streams_state',
      'activity_metrics.stress',
      'activity_metrics.stress_method',
      'activity_metrics.metrics',
      'activity_metrics.thresholds_used',
    ])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.id', '=', activityId)
    .executeTakeFirst();
}

/**
 * The best power for each stored curve duration over the activities of a period: the period's power-
 * duration curve, as [seconds, watts] pairs sorted by duration.
 */
export async function powerCurveForPeriod(
  db: Db,
  athleteId: string,
  from: string | null,
  to: string | null,
  sources?: string[],
): Promise<[number, number][]> {
  const rows = await sql<{ seconds: number; watts: number }>`
    SELECT (point->>0)::int AS seconds, max((point->>1)::float8) AS watts
    FROM activity_metrics m
    JOIN activities a ON a.id = m.activity_id
    CROSS JOIN LATERAL jsonb_array_elements(coalesce(m.metrics->'power_curve', '[]'::jsonb)) AS point
    WHERE a.athlete_id = ${athleteId}
      AND (${from}::date IS NULL OR a.local_date >= ${from}::date)
      AND (${to}::date IS NULL OR a.local_date <= ${to}::date)
      AND (${sources ?? null}::text[] IS NULL OR a.source = ANY(${sources ?? null}::text[]))
    GROUP BY 1
    ORDER BY 1`.execute(db);
  return rows.rows.map((row) => [row.seconds, row.watts]);
}

/** Weekly totals (ISO weeks, Monday first) of stress, time and distance over a range. */
export async function weeklyLoad(db: Db, athleteId: string, from: string, to: string, sources?: string[]) {
  const rows = await sql<{
    week: string;
    stress: number;
    moving_s: number;
    distance_m: number;
    activities: number;
  }>`
    SELECT to_char(date_trunc('week', a.local_date), 'YYYY-MM-DD') AS week,
           coalesce(sum(m.stress), 0)::float8 AS stress,
           coalesce(sum(a.moving_time_s), 0)::float8 AS moving_s,
           coalesce(sum(a.distance_m), 0)::float8 AS distance_m,
           count(*)::int AS activities
    FROM activities a LEFT JOIN activity_metrics m ON m.activity_id = a.id
    WHERE a.athlete_id = ${athleteId} AND a.local_date BETWEEN ${from}::date AND ${to}::date
      AND (${sources ?? null}::text[] IS NULL OR a.source = ANY(${sources ?? null}::text[]))
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows.rows;
}

/** True once the athlete has any day of training load (a PMC to report on). */
export async function hasTrainingLoad(db: Db, athleteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('daily_load')
    .select('athlete_id')
    .where('athlete_id', '=', athleteId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
