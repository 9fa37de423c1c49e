import { describe, expect, it } from 'vitest';
import {
  admit,
  type Budget,
  dayStartOf,
  freshBudget,
  observe,
  parseRateLimitHeaders,
  windowStartOf,
} from './budget.ts';

const at = (iso: string) => new Date(iso);

describe('Strava rate-limit budget', () => {
  it('windows start on the quarter hour and at midnight UTC', () => {
    expect(windowStartOf(at('2026-11-25T14:29:59.999Z')).toISOString()).toBe('2026-11-25T14:15:00.000Z');
    expect(windowStartOf(at('2026-11-25T14:30:00.000Z')).toISOString()).toBe('2026-11-25T14:30:00.000Z');
    expect(dayStartOf(at('2026-11-25T23:59:59Z')).toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });

  it('admits reads up to the read limit minus the live reserve for backfill, the full window for live', () => {
    let budget: Budget = freshBudget(at('2026-11-25T10:00:00Z'));
    let admitted = 0;
    for (let i = 0; i < 200; i++) {
      const result = admit(budget, 'read', 'backfill', at('2026-11-25T10:05:00Z'));
      if (!result.admitted) {
        expect(result).toEqual({ admitted: false, retryAt: at('2026-11-25T10:15:00Z'), reason: '15min' });
        break;
      }
      budget = result.budget;
      admitted++;
    }
    expect(admitted).toBe(90); // 100 per 15 min, 10 kept for live work
    const live = admit(budget, 'read', 'live', at('2026-11-25T10:05:00Z'));
    expect(live.admitted).toBe(true);
  });

  it('a new window resets the 15-minute counters but not the daily ones', () => {
    const full: Budget = {
      ...freshBudget(at('2026-11-25T10:00:00Z')),
      read15: 100,
      overall15: 100,
      readDay: 999,
      overallDay: 999,
    };
    const next = admit(full, 'read', 'live', at('2026-11-25T10:15:00Z'));
    expect(next.admitted).toBe(true);
    if (next.admitted) expect([next.budget.read15, next.budget.readDay]).toEqual([1, 1000]);
    const spent = next.admitted ? next.budget : full;
    expect(admit(spent, 'read', 'live', at('2026-11-25T10:16:00Z'))).toEqual({
      admitted: false,
      retryAt: at('2026-11-26T00:00:00Z'),
      reason: 'daily',
    });
  });

  it('reads limits and usage from headers, in either case, and takes the higher usage', () => {
    const headers = parseRateLimitHeaders(
      (name) =>
        ({
          'x-ratelimit-limit': '600,6000',
          'x-ratelimit-usage': '12,300',
          'x-readratelimit-limit': '300,3000',
          'x-readratelimit-usage': '7,150',
        })[name.toLowerCase()] ?? null,
    );
    expect(headers).toEqual({
      overall: { limit15: 600, limitDay: 6000, usage15: 12, usageDay: 300 },
      read: { limit15: 300, limitDay: 3000, usage15: 7, usageDay: 150 },
    });
    const budget = observe(
      { ...freshBudget(at('2026-11-25T10:00:00Z')), read15: 9 },
      headers,
      200,
      at('2026-11-25T10:01:00Z'),
    );
    expect([budget.limitRead15, budget.read15, budget.readDay, budget.overall15]).toEqual([300, 9, 150, 12]);
    expect(parseRateLimitHeaders(() => 'garbage')).toEqual({});
  });

  it('a response that arrives after its window ended does not fill the new window with the old usage', () => {
    const read = { read: { limit15: 100, limitDay: 1000, usage15: 100, usageDay: 400 } };
    // Sent at 10:14:59.5 as the 100th read of that window; answered at 10:15:00.2.
    const budget = observe(
      freshBudget(at('2026-11-25T10:14:59Z')),
      read,
      200,
      at('2026-11-25T10:15:00.200Z'),
      at('2026-11-25T10:14:59.500Z'),
    );
    expect(budget.read15).toBe(0);
    expect(budget.readDay).toBe(400);
    expect(admit(budget, 'read', 'backfill', at('2026-11-25T10:15:01Z')).admitted).toBe(true);
    // Across midnight UTC the daily count starts again too.
    const nextDay = observe(
      freshBudget(at('2026-11-25T23:59:59Z')),
      { read: { limit15: 100, limitDay: 1000, usage15: 50, usageDay: 1000 } },
      429,
      at('2026-11-26T00:00:00.300Z'),
      at('2026-11-25T23:59:59.900Z'),
    );
    expect([nextDay.read15, nextDay.readDay, nextDay.overallDay]).toEqual([0, 0, 0]);
    expect(admit(nextDay, 'read', 'live', at('2026-11-26T00:00:01Z')).admitted).toBe(true);
  });

  it('a 429 spends the window whatever the counters said', () => {
    const budget = observe(freshBudget(at('2026-11-25T10:00:00Z')), {}, 429, at('2026-11-25T10:01:00Z'));
    expect(admit(budget, 'read', 'live', at('2026-11-25T10:02:00Z')).admitted).toBe(false);
    expect(admit(budget, 'read', 'live', at('2026-11-25T10:15:00Z')).admitted).toBe(true);
  });
});
