import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workoutDmsClosedNotice, workoutMessageJob } from '../../bot/jobs/workout-message.job.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import {
  eventually,
  givenConnectedAthlete,
  givenWebhookSubscription,
  type Harness,
  startHarness,
} from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

const rider = '670000000000000001';
const closed = '670000000000000002';

const workoutDms = (discord: DiscordFake, user: string) =>
  discord.dms(user).filter((m) => m.content.startsWith('🏁'));

describe('the message after every new workout', () => {
  let discord: DiscordFake;
  let h: Harness;
  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'workout-token', quiet: true });
    h = await startHarness({
      env: { DISCORD_TOKEN: 'workout-token', DISCORD_APP_ID: discord.appId, DISCORD_API_URL: discord.apiUrl },
    });
    await h.startWorkers();
    await givenWebhookSubscription(h);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await discord?.close();
  });

  it('a webhook storm for two workouts makes exactly one message, across two racing workers', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: rider,
      history: { count: 5, durationS: 1800 },
      initialSync: 'synced',
    });
    // The initial import is a backfill: it has its summary DM, never a workout message.
    expect(workoutDms(discord, rider)).toEqual([]);
    const now = h.strava.now().getTime();
    const ride = h.strava.addActivity(athlete.id, {
      sport: 'Ride',
      durationS: 1200,
      name: 'Lunch ride',
      startDate: new Date(now - 3 * 3600_000),
    });
    const run = h.strava.addActivity(athlete.id, {
      sport: 'Run',
      durationS: 900,
      name: 'Evening run',
      startDate: new Date(now - 3600_000),
    });
    // Strava retries and sends updates right after a create: every event arrives several times at once.
    const deliveries = [];
    for (let i = 0; i < 3; i++) {
      for (const activity of [ride, run]) {
        deliveries.push(
          h.strava.deliver({
            object_type: 'activity',
            object_id: activity.id,
            aspect_type: 'create',
            owner_id: athlete.id,
          }),
          h.strava.deliver({
            object_type: 'activity',
            object_id: activity.id,
            aspect_type: 'update',
            owner_id: athlete.id,
            updates: { title: activity.name },
          }),
        );
      }
    }
    expect(new Set(await Promise.all(deliveries))).toEqual(new Set([200]));
    const queued = await eventually(
      async () => {
        const rows = await h.database.db
          .selectFrom('workout_messages')
          .select(['activity_id', 'status'])
          .where('athlete_id', '=', athleteId)
          .execute();
        return rows.length === 2 ? rows : null;
      },
      150_000,
      'both workouts queued',
    );
    expect(queued.map((r) => r.status)).toEqual(['pending', 'pending']);
    // Two workers racing on the same athlete (before the scheduled job's delay is over).
    const payload = workoutMessageJob.payload.parse({ athleteId });
    await Promise.all([
      workoutMessageJob.handler(payload, h.ctx, undefined as never),
      workoutMessageJob.handler(payload, h.ctx, undefined as never),
    ]);
    const dms = workoutDms(discord, rider);
    expect(dms).toHaveLength(1);
    const message = dms[0]!;
    expect(message.content).toBe('🏁 2 new workouts');
    const embeds = message.embeds as {
      title: string;
      description: string;
      fields?: { name: string; value: string }[];
    }[];
    expect(embeds.map((e) => e.title)).toEqual(['Lunch ride', 'Evening run', 'Where these 2 leave you']);
    expect(embeds[0]!.description).toMatch(/^Ride · /);
    expect(embeds[0]!.fields?.find((f) => f.name === 'Stress')?.value).toMatch(/^\*\*\d+\*\* \(.+\)$/);
    expect(embeds[2]!.description).toMatch(/^Form [−+]?\d+\.\d → [−+]?\d+\.\d \(.+\) · fitness /);
    expect(embeds[2]!.description).toContain('🗣️ ');
    expect(message.attachments.map((a) => a.filename)).toEqual(['form.png']);
    // The scheduled jobs run later (within the minute) and find nothing left to send.
    await eventually(
      async () => {
        const jobs = await h.boss.findJobs(jobNames.workoutMessage, { data: { athleteId } });
        return jobs.length > 0 && jobs.every((j) => j.state === 'completed') ? jobs : null;
      },
      150_000,
      'scheduled workout-message jobs completed',
    );
    expect(workoutDms(discord, rider)).toHaveLength(1);
    const sent = await h.database.db
      .selectFrom('workout_messages')
      .select('status')
      .where('athlete_id', '=', athleteId)
      .execute();
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent']);
  }, 400_000);

  it('closed DMs turn the messages off and the athlete is told on their next command', async () => {
    const { strava: athlete, athleteId } = await givenConnectedAthlete(h, {
      discordUserId: closed,
      initialSync: 'synced',
    });
    discord.closeDms(closed);
    const ride = h.strava.addActivity(athlete.id, { sport: 'Ride', durationS: 1200, name: 'Quick spin' });
    await h.strava.deliver({
      object_type: 'activity',
      object_id: ride.id,
      aspect_type: 'create',
      owner_id: athlete.id,
    });
    await eventually(
      () =>
        h.database.db
          .selectFrom('workout_messages')
          .select('activity_id')
          .where('athlete_id', '=', athleteId)
          .executeTakeFirst(),
      30_000,
      'workout queued',
    );
    await workoutMessageJob.handler({ athleteId }, h.ctx, undefined as never);
    const row = await h.database.db
      .selectFrom('athletes')
      .select(['workout_dm_enabled', 'pending_notice'])
      .where('id', '=', athleteId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ workout_dm_enabled: false, pending_notice: workoutDmsClosedNotice });
    expect(workoutDms(discord, closed)).toEqual([]);
  }, 60_000);
});
