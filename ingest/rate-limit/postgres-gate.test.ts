import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';
import { createPostgresGate, RateLimitWaitError } from './postgres-gate.ts';

describe('Postgres rate-limit gate', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('never admits more than the window allows, however many callers race', async () => {
    let clock = new Date('2026-11-25T10:03:00Z');
    const gate = createPostgresGate(database.db, () => clock);
    // The app's tier as Strava reports it: 20 reads per 15 minutes.
    await gate.observe({ read: { limit15: 20, limitDay: 1000, usage15: 0, usageDay: 0 } }, 200);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => gate.acquire('read', 'backfill')),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    expect(admitted).toBe(18); // 20 minus the 10 % live reserve
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RateLimitWaitError);
    expect((refused.reason as RateLimitWaitError).retryAt.toISOString()).toBe('2026-11-25T10:15:00.000Z');
    await gate.acquire('read', 'live');
    await gate.acquire('read', 'live');
    await expect(gate.acquire('read', 'live')).rejects.toBeInstanceOf(RateLimitWaitError);
    clock = new Date('2026-11-25T10:15:00Z');
    await expect(gate.acquire('read', 'backfill')).resolves.toBeUndefined();
    const snapshot = await gate.snapshot();
    expect([snapshot.read15, snapshot.readDay]).toEqual([1, 21]);
  });
});
