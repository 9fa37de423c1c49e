import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import { eventually, givenStravaActivity, type Harness, startHarness } from '../../test/context.ts';
import type { SlashCommand } from '../command.ts';
import settings from '../commands/settings.ts';
import { raisedThresholdProposal, thresholdOffer } from './threshold-offer.ts';

const now = new Date('2026-11-30T12:00:00Z');
const command = settings as unknown as SlashCommand<Harness['ctx']>;

/** 10 min easy, `effortS` at `watts`, 10 min easy: a ride whose 20 min best is `watts`. */
function rideStreams(effortS: number, watts: number) {
  const power = [...Array(600).fill(150), ...Array(effortS).fill(watts), ...Array(600).fill(150)];
  const time = power.map((_, i) => i);
  return { time: { data: time }, watts: { data: power }, heartrate: { data: time.map(() => 150) } };
}

let rides = 0;
async function addRide(
  h: Harness,
  athleteId: string,
  date: string,
  effortS: number,
  watts: number,
  sport = 'Ride',
) {
  rides += 1;
  return givenStravaActivity(h.deps, athleteId, {
    stravaId: String(660_000 + rides),
    name: `${sport} ${date}`,
    sport,
    start: new Date(`${date}T08:00:00Z`),
    startLocal: `${date}T08:00:00`,
    movingS: effortS + 1200,
    streams: rideStreams(effortS, watts),
  });
}

const methods = (db: Db, athleteId: string) =>
  db
    .selectFrom('activity_metrics')
    .innerJoin('activities', 'activities.id', 'activity_metrics.activity_id')
    .select(['activities.local_date', 'activity_metrics.stress_method', 'activity_metrics.thresholds_used'])
    .where('activity_metrics.athlete_id', '=', athleteId)
    .orderBy('activities.local_date')
    .execute();

const press = (h: Harness, userId: string, customId: string) => {
  const [, action = '', ...args] = customId.split(':');
  return command.button!(
    {
      invoker: { userId, username: 'a', inGuild: false, interactionId: '1' },
      action,
      args,
      progress: async () => {},
    },
    h.ctx,
  );
};

const buttons = (reply: Reply) => (reply.components ?? []).flat().filter((b) => b.kind === 'action');

describe('thresholds from the athlete’s own history', () => {
  let h: Harness;
  const rider = '660000000000000001';
  const setter = '660000000000000002';
  let riderId: string;
  let setterId: string;

  beforeAll(async () => {
    h = await startHarness({ fakeNow: now });
    await h.startWorkers();
    const db = h.database.db;
    riderId = (
      await db
        .insertInto('athletes')
        .values({ discord_user_id: rider })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    setterId = (
      await db
        .insertInto('athletes')
        .values({ discord_user_id: setter })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const id of [riderId, setterId]) {
      await addRide(h, id, '2026-09-01', 1800, 200);
      await addRide(h, id, '2026-11-12', 1500, 263);
      await addRide(h, id, '2026-11-20', 1800, 220);
    }
  }, 60_000);
  afterAll(async () => h?.stop());

  it('offers unset thresholds in one message, with their sources and Accept / Edit', async () => {
    const athlete = { id: riderId, timezone: 'UTC', units: 'metric' as const };
    const offer = await thresholdOffer(h.ctx, athlete, now);
    const text = offer?.embeds?.[0]?.description ?? '';
    expect(text).toContain('**FTP 250 W** — 95 % of your 20 min best of 263 W on 12 Nov');
    expect(text).toContain('**LTHR 143 bpm** — 95 % of your highest 20 min heart rate, 150 bpm');
    expect(buttons(offer!).map((b) => b.label)).toEqual(['Accept', 'Edit']);
    expect((await methods(h.database.db, riderId)).every((m) => m.stress_method === 'hr')).toBe(false);
  });

  it('an accepted first value covers the whole history and recomputes it at once', async () => {
    const offer = (await thresholdOffer(h.ctx, { id: riderId, timezone: 'UTC', units: 'metric' }, now))!;
    const accept = buttons(offer).find((b) => b.label === 'Accept')!;
    const reply = await press(h, rider, (accept as { customId: string }).customId);
    expect(reply.content).toMatch(
      /^✅ Accepted: FTP → 250 W \(your first value: it covers your whole history\)/,
    );
    expect(reply.content).toContain('Recomputed your whole history: 3 activities');
    const rows = await methods(h.database.db, riderId);
    // Even the ride of 1 September, long before today, is scored by power at the accepted FTP.
    expect(rows.map((r) => r.stress_method)).toEqual(['power', 'power', 'power']);
    expect(rows.map((r) => (r.thresholds_used as { ftp: number }).ftp)).toEqual([250, 250, 250]);
    const load = await h.database.db
      .selectFrom('daily_load')
      .select('stress')
      .where('athlete_id', '=', riderId)
      .where('date', '=', '2026-09-01')
      .executeTakeFirstOrThrow();
    expect(load.stress).toBeGreaterThan(0);
    // A second press changes nothing.
    expect((await press(h, rider, (accept as { customId: string }).customId)).content).toBe(
      'These suggestions were already answered.',
    );
  });

  it('a clearly higher FTP from a new ride is a dated proposal, accepted from that date only', async () => {
    const athlete = { id: riderId, timezone: 'UTC', units: 'metric' as const };
    const small = await addRide(h, riderId, '2026-11-25', 1500, 268); // +1.8 %: not proposed
    expect(
      await raisedThresholdProposal(
        h.ctx,
        athlete,
        { id: small, localDate: '2026-11-25', name: 'Small' },
        now,
      ),
    ).toBeNull();
    const big = await addRide(h, riderId, '2026-11-28', 1500, 300);
    const proposal = await raisedThresholdProposal(
      h.ctx,
      athlete,
      { id: big, localDate: '2026-11-28', name: 'Big day' },
      now,
    );
    expect(proposal?.embeds?.[0]?.description).toContain('**FTP 250 W → 285 W**');
    expect(buttons(proposal!).map((b) => b.label)).toEqual(['Accept from 28 Nov', 'Ignore']);
    // Proposed once per activity, however often it is analysed.
    expect(
      await raisedThresholdProposal(h.ctx, athlete, { id: big, localDate: '2026-11-28', name: 'Big' }, now),
    ).toBeNull();
    const accept = buttons(proposal!)[0] as { customId: string };
    const reply = await press(h, rider, accept.customId);
    expect(reply.content).toContain('FTP → 285 W from 2026-11-28');
    const rows = await methods(h.database.db, riderId);
    expect(rows.map((r) => [r.local_date, (r.thresholds_used as { ftp: number }).ftp])).toEqual([
      ['2026-09-01', 250],
      ['2026-11-12', 250],
      ['2026-11-20', 250],
      ['2026-11-25', 250],
      ['2026-11-28', 285],
    ]);
  });

  it('Ignore changes nothing', async () => {
    const athlete = { id: riderId, timezone: 'UTC', units: 'metric' as const };
    const big = await addRide(h, riderId, '2026-11-29', 1500, 320);
    const proposal = await raisedThresholdProposal(
      h.ctx,
      athlete,
      { id: big, localDate: '2026-11-29', name: 'X' },
      now,
    );
    const ignore = buttons(proposal!).find((b) => b.label === 'Ignore') as { customId: string };
    expect((await press(h, rider, ignore.customId)).content).toContain('Ignored');
    const ftp = await h.database.db
      .selectFrom('athlete_thresholds')
      .select(['value', 'effective_date'])
      .where('athlete_id', '=', riderId)
      .where('kind', '=', 'ftp')
      .orderBy('effective_date')
      .execute();
    expect(ftp.map((r) => r.value)).toEqual([250, 285]);
  });

  it('a first value set in /settings covers the whole history and is recomputed without a button', async () => {
    const reply = await command.execute(
      {
        invoker: { userId: setter, username: 's', inGuild: false, interactionId: '2' },
        options: command.options.parse({ ftp: 240 }),
        progress: async () => {},
      },
      h.ctx,
    );
    expect(reply.embeds?.[0]?.description).toContain(
      'FTP → 240 W (your first value: it covers your whole history)',
    );
    expect(buttons(reply).some((b) => b.label.startsWith('Recompute'))).toBe(false);
    const rows = await eventually(
      async () => {
        const rows = await methods(h.database.db, setterId);
        return rows.every((r) => r.stress_method === 'power') ? rows : null;
      },
      20_000,
      'history recomputed with the first FTP',
    );
    expect(rows.map((r) => (r.thresholds_used as { ftp: number }).ftp)).toEqual([240, 240, 240]);
  });

  it('run FTP from run power is offered, accepted over the whole history, edited and raised like FTP', async () => {
    const db = h.database.db;
    const runner = '660000000000000003';
    const runnerId = (
      await db
        .insertInto('athletes')
        .values({ discord_user_id: runner })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await addRide(h, runnerId, '2026-09-01', 1800, 200, 'Run');
    await addRide(h, runnerId, '2026-11-12', 1500, 263, 'Run');
    const athlete = { id: runnerId, timezone: 'UTC', units: 'metric' as const };
    const offer = (await thresholdOffer(h.ctx, athlete, now))!;
    const text = offer.embeds?.[0]?.description ?? '';
    expect(text).toContain('**Run FTP 250 W** — 95 % of your 20 min run-power best of 263 W on 12 Nov');
    expect(text).not.toContain('for reference');
    // No ride power: no cycling FTP is offered.
    expect(text).not.toMatch(/\*\*FTP /);
    const byLabel = (label: string) => buttons(offer).find((b) => b.label === label) as { customId: string };
    expect((await press(h, runner, byLabel('Edit').customId)).content).toContain('run_ftp:250');

    const reply = await press(h, runner, byLabel('Accept').customId);
    expect(reply.content).toContain('Run FTP → 250 W (your first value: it covers your whole history)');
    const stored = await db
      .selectFrom('athlete_thresholds')
      .select(['value', 'effective_date'])
      .where('athlete_id', '=', runnerId)
      .where('kind', '=', 'run_ftp')
      .execute();
    expect(stored).toEqual([{ value: 250, effective_date: '2026-09-01' }]);
    const rows = await methods(db, runnerId);
    expect(rows.map((r) => [r.stress_method, (r.thresholds_used as { runFtp: number }).runFtp])).toEqual([
      ['power', 250],
      ['power', 250],
    ]);

    const big = await addRide(h, runnerId, '2026-11-28', 1500, 300, 'Run');
    const proposal = await raisedThresholdProposal(
      h.ctx,
      athlete,
      { id: big, localDate: '2026-11-28', name: 'Track' },
      now,
    );
    expect(proposal?.embeds?.[0]?.description).toContain('**Run FTP 250 W → 285 W**');
    await press(h, runner, (buttons(proposal!)[0] as { customId: string }).customId);
    const after = await db
      .selectFrom('athlete_thresholds')
      .select(['value', 'effective_date'])
      .where('athlete_id', '=', runnerId)
      .where('kind', '=', 'run_ftp')
      .orderBy('effective_date')
      .execute();
    expect(after).toEqual([
      { value: 250, effective_date: '2026-09-01' },
      { value: 285, effective_date: '2026-11-28' },
    ]);
  });

  it('/settings turns the message after each workout off and on (on by default)', async () => {
    const run = (options: Record<string, unknown>) =>
      command.execute(
        {
          invoker: { userId: setter, username: 's', inGuild: false, interactionId: '3' },
          options: command.options.parse(options),
          progress: async () => {},
        },
        h.ctx,
      );
    const field = (reply: Reply) =>
      reply.embeds?.[0]?.fields?.find((f) => f.name === 'After each workout')?.value;
    expect(field(await run({}))).toBe('a DM');
    const off = await run({ workout_dm: false });
    expect(off.embeds?.[0]?.description).toContain('workout_dm → false');
    expect(field(off)).toBe('off');
    const row = await h.database.db
      .selectFrom('athletes')
      .select('workout_dm_enabled')
      .where('id', '=', setterId)
      .executeTakeFirstOrThrow();
    expect(row.workout_dm_enabled).toBe(false);
    expect(field(await run({ workout_dm: true }))).toBe('a DM');
  });
});
