/**
 * Strava's rate-limit arithmetic, pure. Two limits apply to every request — overall and read (every
 * non-upload endpoint is a read) — each in a 15-minute window (resets at :00, :15, :30, :45 UTC) and a
 * daily window (resets at midnight UTC). Usage comes from our own count and from the response headers,
 * whichever is higher (other processes, or other tools using the same app, count too).
 */
export interface Budget {
  windowStart: Date;
  dayStart: Date;
  overall15: number;
  overallDay: number;
  read15: number;
  readDay: number;
  limitOverall15: number;
  limitOverallDay: number;
  limitRead15: number;
  limitReadDay: number;
}

export type RequestKind = 'read' | 'write';
export type RequestPriority = 'live' | 'backfill';

/** Strava's published defaults, assumed until a response's headers say otherwise. */
const defaultLimits = { overall15: 200, overallDay: 2000, read15: 100, readDay: 1000 } as const;

/**
 * Share of each 15-minute window that backfill may not use, kept for live work (webhook events and
 * athletes waiting on a reply), so a big history import never delays today's ride.
 */
const liveReserveShare = 0.1;

const quarterMs = 15 * 60_000;
const dayMs = 24 * 3600_000;

export function windowStartOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / quarterMs) * quarterMs);
}

export function dayStartOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / dayMs) * dayMs);
}

export function freshBudget(now: Date): Budget {
  return {
    windowStart: windowStartOf(now),
    dayStart: dayStartOf(now),
    overall15: 0,
    overallDay: 0,
    read15: 0,
    readDay: 0,
    limitOverall15: defaultLimits.overall15,
    limitOverallDay: defaultLimits.overallDay,
    limitRead15: defaultLimits.read15,
    limitReadDay: defaultLimits.readDay,
  };
}

/** The budget as of `now`: counters of windows that have ended start again from zero. */
function rollBudget(budget: Budget, now: Date): Budget {
  const windowStart = windowStartOf(now);
  const dayStart = dayStartOf(now);
  const next = { ...budget };
  if (windowStart.getTime() > budget.windowStart.getTime()) {
    next.windowStart = windowStart;
    next.overall15 = 0;
    next.read15 = 0;
  }
  if (dayStart.getTime() > budget.dayStart.getTime()) {
    next.dayStart = dayStart;
    next.overallDay = 0;
    next.readDay = 0;
  }
  return next;
}

export type Admission =
  | { admitted: true; budget: Budget }
  | { admitted: false; retryAt: Date; reason: '15min' | 'daily' };

/**
 * Whether one more request may go now; if so, the budget with it counted. Backfill stops short of each
 * 15-minute limit by the live reserve; live work may use the whole window.
 */
export function admit(budget: Budget, kind: RequestKind, priority: RequestPriority, now: Date): Admission {
  const b = rollBudget(budget, now);
  const reserve = (limit: number) =>
    priority === 'backfill' ? Math.max(1, Math.ceil(limit * liveReserveShare)) : 0;
  const dayFull = b.overallDay + 1 > b.limitOverallDay || (kind === 'read' && b.readDay + 1 > b.limitReadDay);
  if (dayFull) return { admitted: false, retryAt: new Date(b.dayStart.getTime() + dayMs), reason: 'daily' };
  const windowFull =
    b.overall15 + 1 > b.limitOverall15 - reserve(b.limitOverall15) ||
    (kind === 'read' && b.read15 + 1 > b.limitRead15 - reserve(b.limitRead15));
  if (windowFull)
    return { admitted: false, retryAt: new Date(b.windowStart.getTime() + quarterMs), reason: '15min' };
  return {
    admitted: true,
    budget: {
      ...b,
      overall15: b.overall15 + 1,
      overallDay: b.overallDay + 1,
      read15: b.read15 + (kind === 'read' ? 1 : 0),
      readDay: b.readDay + (kind === 'read' ? 1 : 0),
    },
  };
}

/** Limits and usage as Strava reports them in `X-RateLimit-*` / `X-ReadRateLimit-*` ("15min,daily"). */
export interface RateLimitHeaders {
  overall?: { limit15: number; limitDay: number; usage15: number; usageDay: number };
  read?: { limit15: number; limitDay: number; usage15: number; usageDay: number };
}

export function parseRateLimitHeaders(get: (name: string) => string | null): RateLimitHeaders {
  const pair = (name: string) => {
    const value = get(name) ?? get(name.toLowerCase());
    if (!value) return null;
    const [a, b] = value.split(',').map((part) => Number(part.trim()));
    return Number.isInteger(a) && Number.isInteger(b) && a! >= 0 && b! >= 0 ? ([a!, b!] as const) : null;
  };
  const group = (prefix: string) => {
    const limit = pair(`X-${prefix}-Limit`);
    const usage = pair(`X-${prefix}-Usage`);
    return limit && usage
      ? { limit15: limit[0], limitDay: limit[1], usage15: usage[0], usageDay: usage[1] }
      : undefined;
  };
  const overall = group('RateLimit');
  const read = group('ReadRateLimit');
  return { ...(overall ? { overall } : {}), ...(read ? { read } : {}) };
}

/**
 * Folds a response's headers into the budget: limits are taken as reported (tiers differ), usage is the
 * higher of ours and Strava's. A 429 means the window is spent whatever the counters say.
 * Strava counted the request in the window it was sent in (`sentAt`): when a response arrives after that
 * window ended, its usage belongs to the old window and must not fill the new one.
 */
export function observe(
  budget: Budget,
  headers: RateLimitHeaders,
  status: number,
  now: Date,
  sentAt: Date = now,
): Budget {
  const b = rollBudget(budget, now);
  const sameWindow = windowStartOf(sentAt).getTime() === b.windowStart.getTime();
  const sameDay = dayStartOf(sentAt).getTime() === b.dayStart.getTime();
  if (headers.overall) {
    b.limitOverall15 = headers.overall.limit15;
    b.limitOverallDay = headers.overall.limitDay;
    if (sameWindow) b.overall15 = Math.max(b.overall15, headers.overall.usage15);
    if (sameDay) b.overallDay = Math.max(b.overallDay, headers.overall.usageDay);
  }
  if (headers.read) {
    b.limitRead15 = headers.read.limit15;
    b.limitReadDay = headers.read.limitDay;
    if (sameWindow) b.read15 = Math.max(b.read15, headers.read.usage15);
    if (sameDay) b.readDay = Math.max(b.readDay, headers.read.usageDay);
  }
  if (status === 429 && !sameWindow) {
    // Refused in a window that has ended: nothing to say about this one, except a spent day.
    const dayExceeded =
      (headers.overall && headers.overall.usageDay >= headers.overall.limitDay) ||
      (headers.read && headers.read.usageDay >= headers.read.limitDay);
    if (dayExceeded && sameDay) b.overallDay = Math.max(b.overallDay, b.limitOverallDay);
  } else if (status === 429) {
    const dayExceeded =
      (headers.overall && headers.overall.usageDay >= headers.overall.limitDay) ||
      (headers.read && headers.read.usageDay >= headers.read.limitDay);
    if (dayExceeded) {
      b.overallDay = Math.max(b.overallDay, b.limitOverallDay);
    } else {
      b.overall15 = Math.max(b.overall15, b.limitOverall15);
      b.read15 = Math.max(b.read15, b.limitRead15);
    }
  }
  return b;
}
