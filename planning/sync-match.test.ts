import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteStravaActivity, syncStravaActivity } from '../ingest/sync/sync-activity.ts';
import { givenConnectedAthlete, type Harness, startHarness } from '../test/context.ts';

describe('a synced Strava activity fulfils the plan of its day (the ingest hook is wired)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('marks the plan done with the activity, through the real Strava client and pipeline', async () => {
    const given = await givenConnectedAthlete(h, { discordUserId: '600000000000000001' });
    const stravaAthlete = given.strava;
    const athlete = { id: given.athleteId };

    const start = new Date(h.ctx.now().getTime() - 3 * 3600_000);
    // The fake records the activity at UTC+1 (Europe/Paris): its local day is what the plan is for.
    const localDay = new Date(start.getTime() + 3600_000).toISOString().slice(0, 10);
    const planned = await h.database.db
      .insertInto('planned_workouts')
      .values({
        athlete_id: athlete.id,
        date: localDay,
        sport: 'Ride',
        title: 'Endurance',
        planned_duration_s: 3600,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ride = h.strava.addActivity(stravaAthlete.id, { sport: 'Ride', durationS: 3600, startDate: start });

    const deps = h.ctx.strava!.sync;
    const token = await deps.accessToken(athlete.id);
    const activity = await deps.api.getActivity(token, String(ride.id), 'live');
    const { activityId } = await syncStravaActivity(deps, athlete.id, activity, {
      priority: 'live',
      recompute: true,
      token,
    });

    const plan = await h.database.db
      .selectFrom('planned_workouts')
      .select(['status', 'activity_id', 'matched_by'])
      .where('id', '=', planned.id)
      .executeTakeFirstOrThrow();
    expect(plan).toEqual({ status: 'done', activity_id: activityId, matched_by: 'auto' });

    // A second ride that day, further from the plan; then the matched one is deleted on Strava.
    const second = h.strava.addActivity(stravaAthlete.id, {
      sport: 'Ride',
      durationS: 1200,
      startDate: new Date(start.getTime() + 3600_000),
    });
    const other = await syncStravaActivity(
      deps,
      athlete.id,
      await deps.api.getActivity(token, String(second.id), 'live'),
      { priority: 'live', recompute: true, token },
    );
    expect(
      await h.database.db
        .selectFrom('planned_workouts')
        .select('activity_id')
        .where('id', '=', planned.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ activity_id: activityId });
    expect(await deleteStravaActivity(deps, String(ride.id), athlete.id)).toBe(true);
    const after = await h.database.db
      .selectFrom('planned_workouts')
      .select(['status', 'activity_id', 'matched_by'])
      .where('id', '=', planned.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'done', activity_id: other.activityId, matched_by: 'auto' });
  });
});
