import type { Db } from '../../db/connect.ts';
import { lockRateLimit, saveRateLimit } from '../../db/queries/strava-rate-limit.ts';
import type { StravaRateLimitRow } from '../../db/tables/strava-rate-limit.ts';
import {
  admit,
  type Budget,
  freshBudget,
  observe,
  type RateLimitHeaders,
  type RequestKind,
  type RequestPriority,
} from './budget.ts';

/** Raised instead of sending a request Strava would refuse; the job waits until `retryAt`. */
export class RateLimitWaitError extends Error {
  override name = 'RateLimitWaitError';
  constructor(
    readonly retryAt: Date,
    readonly reason: '15min' | 'daily',
  ) {
    super(`Strava rate limit (${reason}) reached; next request possible at ${retryAt.toISOString()}`);
  }
}

export interface RateLimitGate {
  /** Counts one request against the budget, or throws `RateLimitWaitError` when it would be refused. */
  acquire: (kind: RequestKind, priority: RequestPriority) => Promise<void>;
  /** Folds a response's rate-limit headers (and status) into the budget; `sentAt`: when it was sent. */
  observe: (headers: RateLimitHeaders, status: number, sentAt?: Date) => Promise<void>;
  /** The budget as it stands, for /status and logs. */
  snapshot: () => Promise<Budget>;
}

/**
 * The application's one Strava budget, shared by every worker process through a single row locked for
 * each decision. A request is counted before it is sent, so concurrent workers cannot overshoot.
 */
export function createPostgresGate(db: Db, now: () => Date = () => new Date()): RateLimitGate {
  const withBudget = async <T>(fn: (budget: Budget) => { budget: Budget; result: T }): Promise<T> =>
    db.transaction().execute(async (trx) => {
      const at = now();
      const row = await lockRateLimit(trx, freshBudget(at));
      const { budget, result } = fn(fromRow(row));
      await saveRateLimit(trx, toRow(budget), at);
      return result;
    });

  return {
    acquire: async (kind, priority) => {
      const at = now();
      const outcome = await withBudget((budget) => {
        const admission = admit(budget, kind, priority, at);
        return { budget: admission.admitted ? admission.budget : budget, result: admission };
      });
      if (!outcome.admitted) throw new RateLimitWaitError(outcome.retryAt, outcome.reason);
    },
    observe: async (headers, status, sentAt) => {
      const at = now();
      await withBudget((budget) => ({
        budget: observe(budget, headers, status, at, sentAt ?? at),
        result: undefined,
      }));
    },
    snapshot: async () => withBudget((budget) => ({ budget, result: budget })),
  };
}

function toRow(budget: Budget): Omit<StravaRateLimitRow, 'id' | 'updated_at'> {
  return {
    window_start: budget.windowStart,
    day_start: budget.dayStart,
    overall_15min: budget.overall15,
    overall_day: budget.overallDay,
    read_15min: budget.read15,
    read_day: budget.readDay,
    limit_overall_15min: budget.limitOverall15,
    limit_overall_day: budget.limitOverallDay,
    limit_read_15min: budget.limitRead15,
    limit_read_day: budget.limitReadDay,
  };
}

function fromRow(row: StravaRateLimitRow): Budget {
  return {
    windowStart: row.window_start,
    dayStart: row.day_start,
    overall15: row.overall_15min,
    overallDay: row.overall_day,
    read15: row.read_15min,
    readDay: row.read_day,
    limitOverall15: row.limit_overall_15min,
    limitOverallDay: row.limit_overall_day,
    limitRead15: row.limit_read_15min,
    limitReadDay: row.limit_read_day,
  };
}
