import { sql } from 'kysely';
import { bossSchema } from '../../lib/jobs/job-definition.ts';
import type { Db } from '../connect.ts';
import type { StravaRateLimitRow } from '../tables/strava-rate-limit.ts';
import type { WebhookEventRow } from '../tables/webhook-events.ts';

/** The numbers on the operator console: athletes, pg-boss's queues, Strava's budget and recent failures. */

/** Real athletes, those of them connected to Strava, and whether a demo athlete exists. */
export async function athleteCounts(db: Db): Promise<{ real: number; connected: number; demo: number }> {
  const row = await db
    .selectFrom('athletes')
    .leftJoin('strava_connections', 'strava_connections.athlete_id', 'athletes.id')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('athletes.demo', '=', false).as('real'),
      eb.fn
        .count<string>('strava_connections.athlete_id')
        .filterWhere('athletes.demo', '=', false)
        .as('connected'),
      eb.fn.countAll<string>().filterWhere('athletes.demo', '=', true).as('demo'),
    ])
    .executeTakeFirstOrThrow();
  return { real: Number(row.real), connected: Number(row.connected), demo: Number(row.demo) };
}

/** Jobs per queue and state that are waiting, running or failed (none when pg-boss's schema is not there yet). */
export async function bossJobCounts(db: Db): Promise<{ name: string; state: string; n: string }[]> {
  const result = await sql<{ name: string; state: string; n: string }>`
    SELECT name, state::text AS state, count(*) AS n FROM ${sql.table(`${bossSchema}.job`)}
    WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY name, state ORDER BY name
  `
    .execute(db)
    .catch(() => ({ rows: [] as { name: string; state: string; n: string }[] }));
  return result.rows;
}

/** pg-boss's latest failed jobs, newest first (none when its schema is not there yet). */
export async function recentFailedBossJobs(
  db: Db,
  limit: number,
): Promise<{ name: string; output: unknown; at: Date }[]> {
  const result = await sql<{ name: string; output: unknown; at: Date }>`
    SELECT name, output, completed_on AS at FROM ${sql.table(`${bossSchema}.job`)}
    WHERE state = 'failed' AND completed_on IS NOT NULL ORDER BY completed_on DESC LIMIT ${limit}
  `
    .execute(db)
    .catch(() => ({ rows: [] as { name: string; output: unknown; at: Date }[] }));
  return result.rows;
}

/** The shared Strava rate-limit counters, if a request has been counted yet. */
export function rateLimitCounters(db: Db): Promise<StravaRateLimitRow | undefined> {
  return db.selectFrom('strava_rate_limit').selectAll().orderBy('id').executeTakeFirst();
}

/** The latest webhook events that failed, newest first. */
export function recentFailedWebhookEvents(
  db: Db,
  limit: number,
): Promise<
  Pick<WebhookEventRow, 'detail' | 'received_at' | 'processed_at' | 'object_type' | 'aspect_type'>[]
> {
  return db
    .selectFrom('webhook_events')
    .select(['detail', 'received_at', 'processed_at', 'object_type', 'aspect_type'])
    .where('status', '=', 'failed')
    .orderBy('received_at', 'desc')
    .limit(limit)
    .execute();
}
