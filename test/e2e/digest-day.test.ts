import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestSendJob } from '../../bot/jobs/digest-send.job.ts';
import { digestTickJob } from '../../bot/jobs/digest-tick.job.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import { localDateTime } from '../../lib/local-time.ts';
import { type Harness, startHarness } from '../context.ts';
import { type DiscordFake, startDiscordFake } from '../fakes/discord/discord-fake.ts';

/** Athletes around the world; Europe's clocks spring forward on 2026-03-29 (01:00 UTC). */
const athletes = [
  { user: '610000000000000001', timezone: 'Europe/London', time: '07:00' },
  // 02:30 does not exist in Berlin on 2026-03-29: sent at the first tick after the jump, once.
  { user: '610000000000000002', timezone: 'Europe/Berlin', time: '02:30' },
  { user: '610000000000000003', timezone: 'America/Los_Angeles', time: '21:00' },
  { user: '610000000000000004', timezone: 'Asia/Kolkata', time: '06:45' },
  { user: '610000000000000005', timezone: 'Australia/Sydney', time: '00:00' },
  { user: '610000000000000006', timezone: 'UTC', time: '23:45' },
];
const closedDmsUser = '610000000000000007';
const noLoadUser = '610000000000000008';
const start = Date.parse('2026-03-28T00:00:00Z');
const end = Date.parse('2026-03-30T12:00:00Z');
const step = 15 * 60_000;

describe('daily digest over a simulated day in several time zones and a DST change', () => {
  let discord: DiscordFake;
  let h: Harness;
  /** Per user: the simulated instants at which a digest DM appeared. */
  const received = new Map<string, Date[]>();

  beforeAll(async () => {
    discord = await startDiscordFake({ token: 'digest-token', quiet: true });
    h = await startHarness({
      fakeNow: new Date(start),
      env: { DISCORD_TOKEN: 'digest-token', DISCORD_APP_ID: discord.appId, DISCORD_API_URL: discord.apiUrl },
    });
    for (const a of [...athletes, { user: closedDmsUser, timezone: 'UTC', time: '08:00' }]) {
      const row = await h.database.db
        .insertInto('athletes')
        .values({ discord_user_id: a.user, timezone: a.timezone, digest_time: a.time, digest_enabled: true })
        .returning('id')
        .executeTakeFirstOrThrow();
      // Some training load: athletes without any get no digest.
      await h.database.db
        .insertInto('daily_load')
        .values({
          athlete_id: row.id,
          date: '2026-03-20',
          stress: 80,
          ctl: 50,
          atl: 60,
          tsb: -8,
          ramp: 2,
          sources: ['strava_api'],
        })
        .execute();
    }
    await h.database.db
      .insertInto('athletes')
      .values({ discord_user_id: noLoadUser, timezone: 'UTC', digest_time: '06:00', digest_enabled: true })
      .execute();
    discord.closeDms(closedDmsUser);
    // Tick every 15 simulated minutes; run whatever the tick enqueued (twice, like two racing workers).
    for (let t = start; t <= end; t += step) {
      h.strava.setNow(new Date(t));
      await digestTickJob.handler({}, h.ctx, undefined as never);
      await digestTickJob.handler({}, h.ctx, undefined as never);
      for (;;) {
        const jobs = await h.boss.fetch<{ athleteId: string; date: string }>(jobNames.digestSend, {
          batchSize: 50,
        });
        if (jobs.length === 0) break;
        for (const job of jobs) {
          const payload = digestSendJob.payload.parse(job.data);
          await Promise.all([
            digestSendJob.handler(payload, h.ctx, job),
            digestSendJob.handler(payload, h.ctx, job),
          ]);
          await h.boss.complete(jobNames.digestSend, job.id);
        }
      }
      for (const a of athletes) {
        const count = discord.dms(a.user).length;
        const times = received.get(a.user) ?? [];
        while (times.length < count) times.push(new Date(t));
        received.set(a.user, times);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await discord?.close();
  });

  it('each athlete gets exactly one DM per local day, at the first tick at or after their time', () => {
    for (const a of athletes) {
      const times = received.get(a.user) ?? [];
      const dates = times.map((t) => localDateTime(t, a.timezone).date);
      // One per local date, no date twice.
      expect(new Set(dates).size, `${a.timezone}: ${dates.join(', ')}`).toBe(dates.length);
      expect(dates.length).toBeGreaterThanOrEqual(2);
      for (const t of times) {
        const local = localDateTime(t, a.timezone);
        expect(local.time >= a.time, `${a.timezone} sent at ${local.time}`).toBe(true);
        // The tick before was still before the athlete's time (or on the previous local day). The first
        // tick of the simulation catches up on a time already past, as a worker starting late would.
        if (t.getTime() === start) continue;
        const before = localDateTime(new Date(t.getTime() - step), a.timezone);
        expect(before.date < local.date || before.time < a.time, `${a.timezone} late at ${local.time}`).toBe(
          true,
        );
      }
    }
  });

  it('the spring-forward day still gets its digest, once', () => {
    const berlin = received
      .get(athletes[1]!.user)!
      .map((t) => ({ iso: t.toISOString(), ...localDateTime(t, 'Europe/Berlin') }));
    const dstDay = berlin.filter((d) => d.date === '2026-03-29');
    expect(dstDay).toHaveLength(1);
    // 02:30 never happened: the first tick after the jump is 01:00 UTC, 03:00 local.
    expect(dstDay[0]!.iso).toBe('2026-03-29T01:00:00.000Z');
    const london = received.get(athletes[0]!.user)!.map((t) => t.toISOString());
    // 07:00 BST on 03-29 is 06:00 UTC; 07:00 GMT on 03-28 was 07:00 UTC.
    expect(london).toContain('2026-03-29T06:00:00.000Z');
    expect(london).toContain('2026-03-28T07:00:00.000Z');
  });

  it('the DM is a digest with the form reading; an athlete with no training load gets none', () => {
    const dm = discord.dms(athletes[0]!.user)[0]!;
    expect(dm.content).toContain('form digest');
    expect((dm.embeds[0] as { title: string }).title).toMatch(/^☀️ Form /);
    expect(discord.dms(noLoadUser)).toEqual([]);
  });

  it('closed DMs turn the digest off and leave a notice for the next command, without retrying', async () => {
    const row = await h.database.db
      .selectFrom('athletes')
      .select(['digest_enabled', 'digest_disabled_reason', 'pending_notice'])
      .where('discord_user_id', '=', closedDmsUser)
      .executeTakeFirstOrThrow();
    expect(row.digest_enabled).toBe(false);
    expect(row.digest_disabled_reason).toBe('dms_closed');
    expect(row.pending_notice).toContain('/settings digest:true');
    const refused = discord.events.filter((e) => e.kind === 'dm-refused');
    expect(refused).toHaveLength(1);
  });
});
