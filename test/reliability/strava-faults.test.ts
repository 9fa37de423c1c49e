import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobNames } from '../../lib/jobs/job-names.ts';
import {
  eventually,
  givenConnectedAthlete,
  givenWebhookSubscription,
  type Harness,
  startHarness,
} from '../context.ts';

describe('Strava misbehaving during webhooks', () => {
  let h: Harness;
  let stravaAthleteId = 0;
  let athleteId = '';
  beforeAll(async () => {
    h = await startHarness();
    await h.startWorkers();
    await givenWebhookSubscription(h);
    // The initial sync of an empty history finishes before faults are injected.
    const given = await givenConnectedAthlete(h, {
      discordUserId: '660000000000000001',
      initialSync: 'synced',
    });
    stravaAthleteId = given.strava.id;
    athleteId = given.athleteId;
  });
  afterAll(async () => h.stop());

  const deliverCreate = (objectId: number) =>
    h.strava.deliver({
      object_type: 'activity',
      object_id: objectId,
      aspect_type: 'create',
      owner_id: stravaAthleteId,
    });

  it('500s, connection resets and slow answers: every activity arrives, each exactly once', async () => {
    const rides = Array.from({ length: 12 }, (_, i) =>
      h.strava.addActivity(stravaAthleteId, {
        durationS: 900,
        startDate: new Date(Date.now() - (i + 2) * 3600_000),
      }),
    );
    h.strava.injectFaults({ rate: 0.35, kinds: ['500', 'reset', 'slow'], seed: 13, timeoutMs: 300 });
    try {
      for (const ride of rides) expect(await deliverCreate(ride.id)).toBe(200);
      await eventually(
        async () => {
          const scored = await h.database.db
            .selectFrom('activities')
            .innerJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
            .select('activities.strava_id')
            .where('activities.athlete_id', '=', athleteId)
            .where('activity_metrics.stress', 'is not', null)
            .execute();
          return scored.length === rides.length;
        },
        60_000,
        'every faulted activity',
      );
    } finally {
      h.strava.injectFaults(null);
    }
    expect(h.strava.counters.faults).toBeGreaterThan(0);
    const stored = await h.database.db
      .selectFrom('activities')
      .select('strava_id')
      .where('athlete_id', '=', athleteId)
      .execute();
    expect(stored.map((a) => a.strava_id).sort()).toEqual(rides.map((r) => String(r.id)).sort());
  });

  it('activities dated before 1990 or more than a day ahead are refused with a clear reason, nothing stored', async () => {
    const old = h.strava.addActivity(stravaAthleteId, { startDate: new Date('1985-06-01T08:00:00Z') });
    const ahead = h.strava.addActivity(stravaAthleteId, { startDate: new Date(Date.now() + 3 * 86_400_000) });
    const streamsBefore = h.strava.counters.requests['GET /activities/:id/streams'] ?? 0;
    for (const activity of [old, ahead]) expect(await deliverCreate(activity.id)).toBe(200);
    const events = await eventually(async () => {
      const rows = await h.database.db
        .selectFrom('webhook_events')
        .select(['object_id', 'status', 'detail'])
        .where('object_id', 'in', [String(old.id), String(ahead.id)])
        .where('status', '=', 'ignored')
        .execute();
      return rows.length === 2 ? rows : null;
    });
    const detail = (id: number) => events.find((e) => e.object_id === String(id))?.detail;
    expect(detail(old.id)).toBe('activity start 1985-06-01 is before 1990; refused');
    expect(detail(ahead.id)).toMatch(
      /^activity start \d{4}-\d{2}-\d{2} is more than a day in the future; refused$/,
    );
    const stored = await h.database.db
      .selectFrom('activities')
      .select('id')
      .where('strava_id', 'in', [String(old.id), String(ahead.id)])
      .execute();
    expect(stored).toEqual([]);
    // Refused before the streams were fetched.
    expect(h.strava.counters.requests['GET /activities/:id/streams'] ?? 0).toBe(streamsBefore);
  });

  // Last: after a 429 the shared budget stays closed until the next window.
  it('a 429 is honoured: the event waits for the next window instead of failing or retrying at once', async () => {
    const ride = h.strava.addActivity(stravaAthleteId, { durationS: 600 });
    h.strava.injectFaults({ rate: 1, kinds: ['429'], seed: 1 });
    try {
      expect(await deliverCreate(ride.id)).toBe(200);
      const event = await eventually(() =>
        h.database.db
          .selectFrom('webhook_events')
          .select(['id', 'status'])
          .where('object_id', '=', String(ride.id))
          .executeTakeFirst(),
      );
      // A new job for the same event, deferred to the start of the next 15-minute window.
      const deferred = await eventually(
        async () => {
          const jobs = await h.boss.findJobs<{ eventId: string }>(jobNames.webhookEvent, {
            data: { eventId: event.id },
          });
          return (
            jobs.find(
              (job) =>
                job.startAfter.getTime() % (15 * 60_000) === 0 &&
                job.startAfter.getTime() > job.createdOn.getTime() + 1_000,
            ) ?? null
          );
        },
        30_000,
        'a job deferred to the next window',
      );
      expect(deferred.retryCount).toBe(0);
      const now = await h.database.db
        .selectFrom('webhook_events')
        .select('status')
        .where('id', '=', event.id)
        .executeTakeFirstOrThrow();
      expect(now.status).toBe('pending');
    } finally {
      h.strava.injectFaults(null);
    }
  });
});
