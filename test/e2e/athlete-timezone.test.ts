import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStravaActivity } from '../../ingest/sync/sync-activity.ts';
import { eventually, givenConnectedAthlete, type Harness, startHarness } from '../context.ts';

const user = '660000000000000001';

describe("the athlete's time zone follows their activities until they choose one", () => {
  let h: Harness;
  let stravaId: number;
  beforeAll(async () => {
    h = await startHarness();
    await h.startWorkers();
    const given = await givenConnectedAthlete(h, {
      discordUserId: user,
      athlete: { firstname: 'Kai', lastname: 'Tanaka' },
      activities: [
        {
          startDate: new Date(h.strava.now().getTime() - 3 * 86_400_000),
          timezone: '(GMT+09:00) Asia/Tokyo',
          utcOffset: 9 * 3600,
        },
        {
          startDate: new Date(h.strava.now().getTime() - 5 * 86_400_000),
          timezone: '(GMT-05:00) America/New_York',
          utcOffset: -5 * 3600,
        },
      ],
    });
    stravaId = given.strava.id;
  });
  afterAll(async () => h?.stop());

  const athlete = () =>
    h.database.db
      .selectFrom('athletes')
      .select(['timezone', 'timezone_chosen'])
      .where('discord_user_id', '=', user)
      .executeTakeFirstOrThrow();

  it('takes the zone of the newest activity, whatever order the import stores them in', async () => {
    await eventually(
      async () => (await h.database.db.selectFrom('activities').select('id').execute()).length === 2,
      15_000,
      'the initial import',
    );
    expect(await athlete()).toEqual({ timezone: 'Asia/Tokyo', timezone_chosen: false });
  });

  it('never moves a zone the athlete chose', async () => {
    await h.database.db
      .updateTable('athletes')
      .set({ timezone: 'Europe/Oslo', timezone_chosen: true })
      .where('discord_user_id', '=', user)
      .execute();
    const newest = h.strava.addActivity(stravaId, {
      timezone: '(GMT-08:00) America/Los_Angeles',
      utcOffset: -8 * 3600,
    });
    const row = await h.database.db
      .selectFrom('athletes')
      .select('id')
      .where('discord_user_id', '=', user)
      .executeTakeFirstOrThrow();
    const sync = h.ctx.strava!.sync;
    const activity = await sync.api.getActivity(await sync.accessToken(row.id), String(newest.id), 'live');
    await syncStravaActivity(sync, row.id, activity, { priority: 'live', recompute: true });
    expect(await athlete()).toEqual({ timezone: 'Europe/Oslo', timezone_chosen: true });
  });
});
