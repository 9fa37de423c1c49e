import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngDimensions } from '../../charts/renderer.ts';
import { insertPlan } from '../../db/queries/planning.ts';
import { AppError } from '../../lib/errors.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import { givenStravaActivity, type Harness, startHarness } from '../../test/context.ts';
import type { Invoker, SlashCommand } from '../command.ts';
import activity from './activity.ts';
import curve from './curve.ts';
import digest from './digest.ts';
import form from './form.ts';
import { slashCommands } from './index.ts';
import status from './status.ts';

const stranger = '620000000000000001';
const empty = '620000000000000002';
const rider = '620000000000000003';
const now = new Date('2026-06-15T10:00:00Z');

const invoker = (userId: string, inGuild = false): Invoker => ({
  userId,
  username: 'athlete',
  inGuild,
  interactionId: '1',
});

async function run(
  h: Harness,
  command: SlashCommand<never>,
  userId: string,
  options: Record<string, unknown> = {},
) {
  const parsed = command.options.parse(options);
  return (command as unknown as SlashCommand<Harness['ctx']>).execute(
    { invoker: invoker(userId), options: parsed, progress: async () => {} },
    h.ctx,
  ) as Promise<Reply>;
}

/** A 1 h ride: 30 min at 180 W then 30 min at 260 W, heart rate rising. */
function rideStreams() {
  const n = 3600;
  const time = Array.from({ length: n }, (_, i) => i);
  return {
    time: { data: time },
    watts: { data: time.map((i) => (i < 1800 ? 180 : 260)) },
    heartrate: { data: time.map((i) => 120 + Math.round(i / 90)) },
    velocity_smooth: { data: time.map(() => 9) },
    distance: { data: time.map((i) => i * 9) },
  };
}

describe('slash command logic against a real database', () => {
  let h: Harness;
  let rideId: string;

  beforeAll(async () => {
    h = await startHarness({ fakeNow: now });
    const db = h.database.db;
    await db.insertInto('athletes').values({ discord_user_id: empty, timezone: 'Europe/Paris' }).execute();
    const athlete = await db
      .insertInto('athletes')
      .values({ discord_user_id: rider, timezone: 'Europe/Paris' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('athlete_thresholds')
      .values({ athlete_id: athlete.id, kind: 'ftp', value: 250, effective_date: '2026-01-01' })
      .execute();
    rideId = await givenStravaActivity(h.deps, athlete.id, {
      stravaId: '987654321',
      name: 'Tempo intervals',
      sport: 'Ride',
      start: new Date('2026-06-14T07:00:00Z'),
      startLocal: '2026-06-14T09:00:00',
      movingS: 3600,
      distanceM: 32_400,
      streams: rideStreams(),
    });
  }, 30_000);
  afterAll(async () => h?.stop());

  it('every data command tells a stranger to connect first', async () => {
    for (const command of [form, activity, curve, digest]) {
      const error = await run(h, command as never, stranger).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).userMessage).toBe('Connect Strava first: /connect');
    }
  });

  it('with no data, each says how to get some instead of drawing an empty chart', async () => {
    expect((await run(h, form as never, empty)).content).toContain('No training load yet');
    expect((await run(h, activity as never, empty)).content).toContain('No activities yet');
    expect((await run(h, curve as never, empty)).content).toContain('No power data yet');
  });

  it('/form: today carried forward from the ride, coloured by zone, with the chart', async () => {
    const reply = await run(h, form as never, rider, { days: 30 });
    const embed = reply.embeds![0]!;
    const value = (name: string) => embed.fields!.find((f) => f.name === name)!.value;
    // One ride on 06-14 (NP ≈ 230 W: the fourth-power mean of 180 and 260 W), a rest day on 06-15.
    const ride = await h.database.db
      .selectFrom('activity_metrics')
      .select('stress')
      .where('activity_id', '=', rideId)
      .executeTakeFirstOrThrow();
    const kc = 1 - Math.exp(-1 / 42);
    const ka = 1 - Math.exp(-1 / 7);
    const ctl14 = ride.stress * kc;
    const atl14 = ride.stress * ka;
    expect(value('Fitness (CTL)')).toBe((ctl14 * (1 - kc)).toFixed(1));
    expect(value('Fatigue (ATL)')).toBe((atl14 * (1 - ka)).toFixed(1));
    expect(value('Form (TSB)')).toBe(`−${(atl14 - ctl14).toFixed(1)}`);
    expect(value('Stress, last 7 days')).toBe(ride.stress.toFixed(0));
    expect(reply.personal).not.toBe(false);
    // The PMC's two panels at 360 × 320 layout pixels, drawn at twice the density.
    expect(pngDimensions(reply.files![0]!.data)).toEqual({ width: 720, height: 640 });
  });

  it('/form and /digest with a plan and a race goal: forecast to race day, today’s plan, yesterday’s compliance', async () => {
    const athlete = await h.database.db
      .selectFrom('athletes')
      .select('id')
      .where('discord_user_id', '=', rider)
      .executeTakeFirstOrThrow();
    const ride = await h.database.db
      .selectFrom('activity_metrics')
      .select('stress')
      .where('activity_id', '=', rideId)
      .executeTakeFirstOrThrow();
    await insertPlan(h.database.db, athlete.id, {
      date: '2026-06-14',
      sport: 'Ride',
      title: 'Tempo',
      plannedStress: ride.stress * 2,
    });
    await insertPlan(h.database.db, athlete.id, {
      date: '2026-06-15',
      sport: 'Run',
      title: 'Easy run',
      plannedDurationS: 2700,
      plannedStress: 40,
    });
    await h.database.db
      .insertInto('race_goals')
      .values({ athlete_id: athlete.id, date: '2026-06-20', name: 'Club TT', target_tsb: 10 })
      .execute();
    const formReply = await run(h, form as never, rider, { days: 30 });
    const goal = formReply.embeds![0]!.fields!.find((f) => f.name.startsWith('Goal: Club TT'))!;
    expect(goal.name).toBe('Goal: Club TT, 2026-06-20');
    expect(goal.value).toMatch(/^Forecast on the day: form [+−]?\d+\.\d \(target \+10\)/);
    const digestReply = await run(h, digest as never, rider);
    const field = (name: string) => digestReply.embeds![0]!.fields!.find((f) => f.name === name)?.value;
    expect(field('Planned today')).toBe('Easy run (Run) — 45:00, 40 stress');
    expect(field('Yesterday’s plan')).toBe(
      `50 % done: ${Math.round(ride.stress)} of ${Math.round(ride.stress * 2)} planned stress`,
    );
    await h.database.db.deleteFrom('planned_workouts').execute();
    await h.database.db.deleteFrom('race_goals').execute();
  });

  it('/form refuses days out of range with the range', () => {
    const result = form.options.safeParse({ days: 3 });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('days must be between 14 and 365');
  });

  it('/activity: stress with its method, power numbers, decoupling, peaks, charts and the Strava link', async () => {
    const reply = await run(h, activity as never, rider, {});
    const embed = reply.embeds![0]!;
    const field = (name: string) => embed.fields!.find((f) => f.name === name)?.value;
    expect(embed.title).toBe('Tempo intervals');
    expect(field('Stress')).toMatch(/^\*\*\d+\*\* \(TSS from power\)$/);
    expect(field('Power')).toContain('NP 230 W');
    expect(field('Power')).toContain('IF 0.92');
    expect(field('Decoupling')).toMatch(/%/);
    expect(field('Peak power')).toContain('5 s **260 W**');
    expect(reply.files!.map((f) => f.name)).toEqual(['activity.png', 'zones.png']);
    expect(reply.components![0]![0]).toEqual({
      kind: 'link',
      label: 'View on Strava',
      url: 'https://www.strava.com/activities/987654321',
    });
    expect(embed.footer).toBe('Powered by Strava');
  });

  it('/activity autocomplete lists only the caller’s activities', async () => {
    const mine = await activity.autocomplete!(
      { invoker: invoker(rider), focused: { name: 'activity', value: 'tempo' }, options: {} },
      h.ctx,
    );
    expect(mine).toEqual([{ name: expect.stringContaining('Tempo intervals'), value: rideId }]);
    const theirs = await activity.autocomplete!(
      { invoker: invoker(empty), focused: { name: 'activity', value: '' }, options: {} },
      h.ctx,
    );
    expect(theirs).toEqual([]);
    // Someone else's activity id is not found, not shown.
    const error = await run(h, activity as never, empty, { activity: rideId }).catch((e: unknown) => e);
    expect((error as AppError).userMessage).toContain('No activity of yours');
  });

  it('/curve: the period against all-time bests', async () => {
    const reply = await run(h, curve as never, rider, { days: 7 });
    expect(reply.embeds![0]!.description).toContain('**20 min** 260 W (100 % of best) · best 260 W');
  });

  it('/status: says what is missing and what it costs', async () => {
    const reply = await run(h, status as never, rider);
    const missing = reply.embeds![0]!.fields!.find((f) => f.name === 'What is missing')!.value;
    expect(missing).toContain('lthr not set');
    expect(missing).not.toContain('ftp not set');
  });

  it('/digest previews today’s digest with yesterday’s ride', async () => {
    const reply = await run(h, digest as never, rider);
    const fields = reply.embeds![0]!.fields!;
    expect(fields.find((f) => f.name === 'Yesterday')!.value).toMatch(
      /^Tempo intervals — \d+ stress, 1:00:00$/,
    );
    expect(reply.content).toContain('Preview');
  });

  it('every command definition is valid for Discord: names, descriptions, limits', () => {
    const names = slashCommands.map((c) => c.data.name);
    expect(new Set(names).size).toBe(names.length);
    for (const command of slashCommands) {
      expect(command.data.name).toMatch(/^[a-z][a-z0-9_-]{0,31}$/);
      expect(command.data.description.length).toBeLessThanOrEqual(100);
      expect(command.data.integration_types).toEqual([0, 1]);
    }
  });
});
