import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobNames } from '../lib/jobs/job-names.ts';
import { createTestDatabase, startTestBoss, type TestDatabase } from '../test/context.ts';
import { syncSchedules } from './job-runner.ts';
import { jobDefinitions } from './jobs.ts';

describe('job schedules', () => {
  let database: TestDatabase;
  let boss: Awaited<ReturnType<typeof startTestBoss>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    boss = await startTestBoss(database.url, jobDefinitions);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
    await database.drop();
  });

  it('installs every cron schedule once, however many processes start, and removes stale ones', async () => {
    await boss.schedule(jobNames.recompute, '0 0 * * *', { athleteId: '1', from: 'all' });
    await syncSchedules(boss, jobDefinitions);
    await syncSchedules(boss, jobDefinitions);
    const schedules = await boss.getSchedules();
    const byName = Object.fromEntries(schedules.map((s) => [s.name, s.cron]));
    expect(byName[jobNames.digestTick]).toBe('*/15 * * * *');
    expect(byName[jobNames.streamRetention]).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(byName[jobNames.purgeExpiredLinks]).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(byName[jobNames.recompute]).toBeUndefined();
    expect(schedules.filter((s) => s.name === jobNames.digestTick)).toHaveLength(1);
  });
});
