import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rematchDay } from '../../../activities/match-activity.ts';
import { decodePng } from '../../../charts/test-png.ts';
import { defaultSize, pixelRatio } from '../../../charts/theme.ts';
import { findAthleteByDiscordId } from '../../../db/queries/athletes.ts';
import { findPlan } from '../../../db/queries/planning.ts';
import {
  commandContext,
  createActivity,
  createAthlete,
  createTestDatabase,
  invokerFor,
  noProgress,
  runCommand,
  type TestDatabase,
} from '../../../test/context.ts';
import plan from './plan.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

// Wednesday 25 Nov 2026, 23:30 UTC: already Thursday 26 Nov in Auckland (+13).
const now = new Date('2026-11-25T23:30:00Z');

const run = async (userId: string, options: Record<string, unknown>, at = now) =>
  runCommand(plan, commandContext(database.db, at), userId, options);

const planIdOf = async (userId: string, title: string) => {
  const athlete = await findAthleteByDiscordId(database.db, userId);
  const row = await database.db
    .selectFrom('planned_workouts')
    .select('id')
    .where('athlete_id', '=', athlete!.id)
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return row.id;
};

describe('/plan', () => {
  it('adds a workout on a day read in the athlete’s time zone, before Strava is connected', async () => {
    const athlete = await createAthlete(database.db, 11, 'Pacific/Auckland');
    const reply = await run(athlete.discord_user_id, {
      subcommand: 'add',
      date: 'sat',
      sport: 'Ride',
      title: 'Long ride',
      minutes: 240,
      stress: 220,
      target: '180-200W',
    });
    expect(reply.embeds?.[0]?.title).toBe('Planned: Long ride');
    expect(reply.embeds?.[0]?.fields?.[0]).toEqual({
      name: 'Day',
      value: 'Sat 28 Nov 2026 (in 2 days)',
      inline: true,
    });
    expect(reply.embeds?.[0]?.description).toBe('🗓️ 🚴 Long ride — 4:00:00, 220 TSS, 180–200 W');
    const stored = await findPlan(
      database.db,
      athlete.id,
      await planIdOf(athlete.discord_user_id, 'Long ride'),
    );
    expect(stored).toMatchObject({
      date: '2026-11-28',
      sport: 'Ride',
      planned_duration_s: 14_400,
      planned_stress: 220,
      status: 'planned',
    });
    expect(stored?.target).toEqual({ power_w: [180, 200] });

    // A stranger gets an athlete row on first use, so they can plan before connecting Strava.
    const stranger = '100000000000000077';
    const first = await run(stranger, {
      subcommand: 'add',
      date: 'tomorrow',
      sport: 'Run',
      title: 'Easy',
      minutes: 45,
    });
    expect(first.embeds?.[0]?.fields?.[2]).toEqual({
      name: 'Stress',
      value: '≈38 TSS (estimated from duration)',
      inline: true,
    });
  });

  it('validates options with clear messages', () => {
    const base = { subcommand: 'add', date: 'sat', sport: 'Ride', title: 'Ride' };
    const messages = (options: Record<string, unknown>) => {
      const parsed = plan.options.safeParse(options);
      return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
    };
    expect(messages(base)).toEqual(['give the planned minutes or the planned stress (TSS), or both']);
    expect(messages({ ...base, minutes: 0 })).toEqual(['minutes must be between 1 and 1440']);
    expect(messages({ ...base, stress: 5000 })).toEqual(['stress must be between 0 and 2000']);
    expect(messages({ ...base, sport: 'Chess', minutes: 10 })[0]).toContain(
      'sport must be one of Ride, Run, Swim',
    );
    expect(messages({ subcommand: 'delete', plan: 'Long ride' })).toEqual([
      'pick a plan from the list (start typing its title or date)',
    ]);
  });

  it('answers an unreadable date or target with what is accepted, and refuses far-off days', async () => {
    const athlete = await createAthlete(database.db, 12);
    const user = athlete.discord_user_id;
    expect(
      (await run(user, { subcommand: 'add', date: 'soon', sport: 'Run', title: 'X', minutes: 30 })).content,
    ).toBe(
      'I could not read the date "soon". Use today, tomorrow, a weekday (sat, next mon), in 3 days, 2026-12-05, 12-05 or 5 dec.',
    );
    expect(
      (
        await run(user, {
          subcommand: 'add',
          date: 'sat',
          sport: 'Run',
          title: 'X',
          minutes: 30,
          target: 'fast',
        })
      ).content,
    ).toContain('Use power (250-270W), pace (4:30-4:40/km) or heart rate (140-150bpm)');
    expect(
      (await run(user, { subcommand: 'add', date: '2028-01-01', sport: 'Run', title: 'X', minutes: 30 }))
        .content,
    ).toBe('Sat 1 Jan 2028 is more than a year ahead.');
  });

  it('lists, autocompletes, moves and deletes plans', async () => {
    const athlete = await createAthlete(database.db, 13);
    const user = athlete.discord_user_id;
    await run(user, { subcommand: 'add', date: 'fri', sport: 'Run', title: 'Tempo run', stress: 70 });
    await run(user, {
      subcommand: 'add',
      date: 'sun',
      sport: 'Swim',
      title: 'Technique swim',
      minutes: 45,
      stress: 35,
    });
    const list = await run(user, { subcommand: 'list', days: 14 });
    expect(list.embeds?.[0]?.description).toBe(
      '**Fri 27 Nov** (in 2 days)\n🗓️ 🏃 Tempo run — 70 TSS\n**Sun 29 Nov** (in 4 days)\n🗓️ 🏊 Technique swim — 45:00, 35 TSS',
    );
    expect(list.embeds?.[0]?.footer).toBe('105 TSS planned from today · /plan week for the calendar');

    const ctx = commandContext(database.db, now);
    const choices = await plan.autocomplete!(
      {
        invoker: invokerFor(user),
        focused: { name: 'plan', value: 'tempo' },
        options: { subcommand: 'move' },
      },
      ctx,
    );
    const tempoId = await planIdOf(user, 'Tempo run');
    expect(choices).toEqual([{ name: 'Fri 27 Nov · Tempo run · Run · 70 TSS · planned', value: tempoId }]);

    const moved = await run(user, { subcommand: 'move', plan: tempoId, to: 'next mon' });
    expect(moved.content).toBe('↪️ Moved **Tempo run** from Fri 27 Nov to Mon 30 Nov 2026 (in 5 days).');
    expect(await findPlan(database.db, athlete.id, tempoId)).toMatchObject({
      date: '2026-11-30',
      moved_from: '2026-11-27',
      status: 'moved',
    });

    const deleted = await run(user, { subcommand: 'delete', plan: tempoId });
    expect(deleted.content).toBe('🗑️ Deleted **Tempo run** (Mon 30 Nov).');
    expect((await run(user, { subcommand: 'delete', plan: tempoId })).content).toBe(
      'That plan does not exist any more. See your plans: `/plan list`.',
    );
    // Another athlete's plan is invisible.
    const other = await createAthlete(database.db, 14);
    const swimId = await planIdOf(user, 'Technique swim');
    expect((await run(other.discord_user_id, { subcommand: 'delete', plan: swimId })).content).toContain(
      'does not exist',
    );
  });

  it('deleting the plan an activity fulfilled lets another plan of that day take it', async () => {
    const athlete = await createAthlete(database.db, 17);
    const user = athlete.discord_user_id;
    const activity = await createActivity(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Ride',
      stress: 92,
      movingS: 3600,
    });
    await run(user, { subcommand: 'add', date: 'yesterday', sport: 'Ride', title: 'Close', stress: 90 });
    await run(user, { subcommand: 'add', date: 'yesterday', sport: 'Ride', title: 'Far', stress: 150 });
    const athleteRow = await findAthleteByDiscordId(database.db, user);
    const close = await findPlan(database.db, athleteRow!.id, await planIdOf(user, 'Close'));
    expect(close?.activity_id).toBe(activity);
    await run(user, { subcommand: 'delete', plan: close!.id });
    const far = await findPlan(database.db, athleteRow!.id, await planIdOf(user, 'Far'));
    expect(far).toMatchObject({ activity_id: activity, matched_by: 'auto', status: 'done' });
  });

  it('"none" by hand sticks against later automatic matching; "auto" hands the plan back', async () => {
    const athlete = await createAthlete(database.db, 18);
    const user = athlete.discord_user_id;
    const first = await createActivity(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Ride',
      stress: 88,
      movingS: 3600,
    });
    await run(user, { subcommand: 'add', date: 'yesterday', sport: 'Ride', title: 'Tempo', stress: 90 });
    const planId = await planIdOf(user, 'Tempo');
    expect((await findPlan(database.db, athlete.id, planId))?.activity_id).toBe(first);
    await run(user, { subcommand: 'match', plan: planId, activity: 'none' });
    // Another ride of that day syncs: the athlete's "none" stands.
    await createActivity(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Ride',
      stress: 91,
      movingS: 3500,
    });
    await rematchDay(database.db, athlete.id, '2026-11-24');
    expect(await findPlan(database.db, athlete.id, planId)).toMatchObject({
      activity_id: null,
      matched_by: 'none',
    });
    await run(user, { subcommand: 'match', plan: planId, activity: 'auto' });
    expect(await findPlan(database.db, athlete.id, planId)).toMatchObject({
      matched_by: 'auto',
      status: 'done',
    });
  });

  it('matches by hand, unlinks, and matches automatically again', async () => {
    const athlete = await createAthlete(database.db, 15);
    const user = athlete.discord_user_id;
    expect(
      (
        await run(user, {
          subcommand: 'add',
          date: 'yesterday',
          sport: 'Ride',
          title: 'Sweet spot',
          stress: 90,
        })
      ).embeds?.[0]?.description,
    ).toBe('❌ 🚴 Sweet spot — 90 TSS · missed');
    const planId = await planIdOf(user, 'Sweet spot');
    expect((await run(user, { subcommand: 'match', plan: planId, activity: '999999' })).content).toBe(
      'No activities yet. Connect Strava first: /connect',
    );
    // Done on Wednesday but logged as a run by mistake: automatic matching cannot see it.
    const activity = await createActivity(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Run',
      stress: 85,
      movingS: 3600,
      name: 'Lunch workout',
    });
    const ctx = commandContext(database.db, now);
    const choices = await plan.autocomplete!(
      {
        invoker: invokerFor(user),
        focused: { name: 'activity', value: '' },
        options: { subcommand: 'match', plan: planId },
      },
      ctx,
    );
    expect(choices[0]).toEqual({ name: 'Tue 24 Nov · Lunch workout · Run · 85 TSS', value: activity });
    expect(choices.map((c) => c.value).slice(-2)).toEqual(['none', 'auto']);

    const matched = await run(user, { subcommand: 'match', plan: planId, activity });
    expect(matched.content).toBe(
      '✅ **Sweet spot** (Tue 24 Nov) is fulfilled by **Lunch workout** (your choice).\n✅ 🚴 Sweet spot — 90 TSS\n  ↳ done: Lunch workout, 85 TSS (94%)',
    );
    const unlinked = await run(user, { subcommand: 'match', plan: planId, activity: 'none' });
    expect(unlinked.content).toBe(
      '**Sweet spot** (Tue 24 Nov) is not linked to any activity.\n❌ 🚴 Sweet spot — 90 TSS · missed',
    );
    const auto = await run(user, { subcommand: 'match', plan: planId, activity: 'auto' });
    expect(auto.content).toContain('nothing that day fits its sport');
  });

  it('renders the week: planned beside done per day, with compliance, as a 720×500 PNG (360×250 at twice the density)', async () => {
    const athlete = await createAthlete(database.db, 16);
    const user = athlete.discord_user_id;
    // Week of Mon 23 Nov; today (UTC) is Wed 25.
    await run(user, { subcommand: 'add', date: 'yesterday', sport: 'Ride', title: 'Intervals', stress: 100 });
    await run(user, { subcommand: 'add', date: 'today', sport: 'Run', title: 'Easy run', stress: 40 });
    await run(user, { subcommand: 'add', date: 'sat', sport: 'Ride', title: 'Long ride', stress: 200 });
    await createActivity(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Ride',
      stress: 90,
      movingS: 3600,
    });
    await createActivity(database.db, athlete.id, {
      date: '2026-11-23',
      sport: 'Swim',
      stress: 30,
      movingS: 1800,
    });
    // The ingest hook is what links activities; here the day is matched as the pipeline would.
    await rematchDay(database.db, athlete.id, '2026-11-24');

    const reply = await run(user, { subcommand: 'week' });
    const embed = reply.embeds?.[0];
    expect(embed?.title).toBe('Week of Mon 23 Nov 2026');
    expect(embed?.description?.split('\n')).toEqual([
      '**Mon 23 Nov** rest · done 30 TSS',
      '**Tue 24 Nov** ✅ Intervals · 100 planned · done 90 TSS · 90%',
      '**Wed 25 Nov** 🗓️ Easy run · 40 planned',
      '**Thu 26 Nov** rest',
      '**Fri 27 Nov** rest',
      '**Sat 28 Nov** 🗓️ Long ride · 200 planned',
      '**Sun 29 Nov** rest',
    ]);
    // Up to today: 140 planned, 120 done (the unplanned swim counts as done work).
    expect(embed?.fields?.[0]?.value).toBe('86% of the planned stress so far (120 of 140 TSS)');
    expect(embed?.image).toBe('attachment://plan-week.png');
    const png = await decodePng(reply.files![0]!.data);
    expect([png.width, png.height]).toEqual([
      defaultSize.width * pixelRatio,
      defaultSize.height * pixelRatio,
    ]);
    expect(reply.components?.[0]?.map((b) => (b.kind === 'action' ? b.customId : ''))).toEqual([
      'plan:week:2026-11-16',
      'plan:week:2026-11-30',
    ]);

    // The "next week" button shows the following week.
    const next = await plan.button!(
      { invoker: invokerFor(user), action: 'week', args: ['2026-11-30'], progress: noProgress },
      commandContext(database.db, now),
    );
    expect(next.embeds?.[0]?.title).toBe('Week of Mon 30 Nov 2026');
  });
});
