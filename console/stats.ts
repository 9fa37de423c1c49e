import type { Db } from '../db/connect.ts';
import {
  athleteCounts,
  bossJobCounts,
  rateLimitCounters,
  recentFailedBossJobs,
  recentFailedWebhookEvents,
} from '../db/queries/console-stats.ts';

export interface ConsoleStats {
  athletes: { real: number; connectedToStrava: number; demo: boolean };
  queues: { name: string; queued: number; active: number; failed: number }[];
  rateLimit: {
    overall15: [number, number];
    overallDay: [number, number];
    read15: [number, number];
    readDay: [number, number];
    updatedAt: Date;
  } | null;
  errors: { at: Date; where: string; message: string }[];
}

/** The numbers under the features: athletes (the demo never counted), queues, Strava's budget, errors. */
export async function consoleStats(db: Db, now: Date): Promise<ConsoleStats> {
  const athletes = await athleteCounts(db);

  const jobCounts = await bossJobCounts(db);
  const queues = new Map<string, { name: string; queued: number; active: number; failed: number }>();
  for (const row of jobCounts) {
    const queue = queues.get(row.name) ?? { name: row.name, queued: 0, active: 0, failed: 0 };
    const n = Number(row.n);
    if (row.state === 'active') queue.active += n;
    else if (row.state === 'failed') queue.failed += n;
    else queue.queued += n;
    queues.set(row.name, queue);
  }

  const limits = await rateLimitCounters(db);
  // Counters of a window that has passed read as zero: Strava's 15-minute window and its UTC day.
  const windowOver = limits ? now.getTime() - limits.window_start.getTime() >= 15 * 60_000 : true;
  const dayOver = limits ? now.getTime() - limits.day_start.getTime() >= 24 * 3600_000 : true;

  const failedJobs = await recentFailedBossJobs(db, 8);
  const failedEvents = await recentFailedWebhookEvents(db, 5);
  const errors = [
    ...failedJobs.map((row) => ({
      at: new Date(row.at),
      where: `job ${row.name}`,
      message: jobMessage(row.output),
    })),
    ...failedEvents.map((row) => ({
      at: row.processed_at ?? row.received_at,
      where: `webhook ${row.object_type} ${row.aspect_type}`,
      message: row.detail ?? 'failed',
    })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, 8);

  return {
    athletes: {
      real: athletes.real,
      connectedToStrava: athletes.connected,
      demo: athletes.demo > 0,
    },
    queues: [...queues.values()],
    rateLimit: limits
      ? {
          overall15: [windowOver ? 0 : limits.overall_15min, limits.limit_overall_15min],
          overallDay: [dayOver ? 0 : limits.overall_day, limits.limit_overall_day],
          read15: [windowOver ? 0 : limits.read_15min, limits.limit_read_15min],
          readDay: [dayOver ? 0 : limits.read_day, limits.limit_read_day],
          updatedAt: limits.updated_at,
        }
      : null,
    errors,
  };
}

function jobMessage(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output)
    return String(output.message).slice(0, 300);
  return output === null || output === undefined ? 'failed' : JSON.stringify(output).slice(0, 300);
}
