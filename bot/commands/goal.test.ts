import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pmcSize } from '../../charts/pmc-chart.ts';
import { decodePng } from '../../charts/test-png.ts';
import { pixelRatio } from '../../charts/theme.ts';
import { findAthleteById } from '../../db/queries/athletes.ts';
import { insertPlan } from '../../db/queries/planning.ts';
import {
  commandContext,
  createAthlete,
  createTestDatabase,
  invokerFor,
  runCommand,
  type TestDatabase,
} from '../../test/context.ts';
import goal, { againstTarget } from './goal.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const now = new Date('2026-11-25T12:00:00Z');

const run = (userId: string, options: Record<string, unknown>) =>
  runCommand(goal, commandContext(database.db, now), userId, options);

describe('/goal', () => {
  it('without a goal, says how to set one', async () => {
    const athlete = await createAthlete(database.db, 21);
    expect((await run(athlete.discord_user_id, { subcommand: 'view' })).content).toContain(
      'No race goal yet. Set one: `/goal set',
    );
  });

  it('sets a goal and shows race-day CTL, ATL and TSB against the target, with the PMC and dashed forecast', async () => {
    const athlete = await createAthlete(database.db, 22);
    await database.db
      .insertInto('daily_load')
      .values([
        { athlete_id: athlete.id, date: '2026-11-23', stress: 80, ctl: 49, atl: 58, tsb: -8, ramp: 1 },
        { athlete_id: athlete.id, date: '2026-11-24', stress: 70, ctl: 50, atl: 60, tsb: -9, ramp: 1 },
      ])
      .execute();
    await insertPlan(database.db, athlete.id, {
      date: '2026-11-27',
      sport: 'Ride',
      title: 'Opener',
      plannedStress: 150,
    });
    const reply = await run(athlete.discord_user_id, {
      subcommand: 'set',
      date: 'sun',
      name: 'Cyclocross nationals',
      target_tsb: 10,
      unplanned: 'zero',
    });
    const embed = reply.embeds?.[0];
    expect(embed?.title).toBe('🏁 Cyclocross nationals');
    expect(embed?.description).toBe(
      'In 4 days — Sun 29 Nov 2026\nForecast over 150 TSS from today to race day; days without a plan count as rest (0).',
    );
    // From CTL 50 / ATL 60 on the 24th: rest, rest, 150, rest, race day (worked by hand with k = 1 − e^(−1/42),
    // 1 − e^(−1/7)): on the 29th CTL 47.7534, ATL 44.3782, TSB = CTL − ATL of the 28th = 48.9040 − 51.1932.
    expect(embed?.fields?.slice(0, 3)).toEqual([
      { name: 'Fitness (CTL)', value: '47.8', inline: true },
      { name: 'Fatigue (ATL)', value: '44.4', inline: true },
      { name: 'Form (TSB)', value: '−2.3', inline: true },
    ]);
    expect(embed?.fields?.[3]?.value).toBe(
      'Neutral — maintaining\n12.3 below your target of +10.0: lighten the last days before the race.',
    );
    expect(reply.files?.[0]?.name).toBe('forecast.png');
    const png = await decodePng(reply.files![0]!.data);
    expect([png.width, png.height]).toEqual([pmcSize.width * pixelRatio, pmcSize.height * pixelRatio]);

    // Unplanned days at the recent average: (80 + 70) / 2 = 75 TSS/day, remembered on the athlete.
    const average = await run(athlete.discord_user_id, { subcommand: 'view', unplanned: 'recent_average' });
    expect(average.embeds?.[0]?.description).toContain(
      'days without a plan count at your 28-day average, 75 TSS/day',
    );
    expect((await findAthleteById(database.db, athlete.id))?.forecast_unplanned).toBe('recent_average');
  });

  it('a new athlete’s forecast counts unplanned days at their recent average; zero stays an option and warns of a fall', async () => {
    const athlete = await createAthlete(database.db, 24);
    expect((await findAthleteById(database.db, athlete.id))?.forecast_unplanned).toBe('recent_average');
    // 28 days of 60 TSS: CTL about 29.6 on the 24th (from 0, worked with pmcFrom below as the command does).
    const rows = [];
    let ctl = 0;
    let atl = 0;
    for (let i = 0; i < 28; i++) {
      const date = new Date(Date.UTC(2026, 9, 28 + i)).toISOString().slice(0, 10);
      const tsb = ctl - atl;
      ctl += (60 - ctl) * (1 - Math.exp(-1 / 42));
      atl += (60 - atl) * (1 - Math.exp(-1 / 7));
      rows.push({ athlete_id: athlete.id, date, stress: 60, ctl, atl, tsb, ramp: 0 });
    }
    await database.db.insertInto('daily_load').values(rows).execute();
    expect(rows.at(-1)?.date).toBe('2026-11-24');
    const fair = await run(athlete.discord_user_id, {
      subcommand: 'set',
      date: '2027-02-20',
      name: 'Spring race',
    });
    expect(fair.embeds?.[0]?.description).toContain(
      'days without a plan count at your 28-day average, 60 TSS/day',
    );
    const fairForm = fair.embeds?.[0]?.fields?.find((f) => f.name === 'Race-day form')?.value ?? '';
    expect(fairForm).not.toContain('Fitness falls');
    // Counting every unplanned day as rest for 88 days loses most of the fitness: said next to the form.
    const zero = await run(athlete.discord_user_id, { subcommand: 'view', unplanned: 'zero' });
    const ctlOnRaceDay = Number(zero.embeds?.[0]?.fields?.[0]?.value);
    const share = Math.round(((ctl - ctlOnRaceDay) / ctl) * 100);
    expect(share).toBeGreaterThan(20);
    expect(zero.embeds?.[0]?.fields?.find((f) => f.name === 'Race-day form')?.value).toContain(
      `⚠️ Fitness falls ${share} % (${ctl.toFixed(1)} → ${ctlOnRaceDay.toFixed(1)}) by race day: days without a plan count as rest`,
    );
  });

  it('refuses a past day and an implausible target, and clears the next goal', async () => {
    const athlete = await createAthlete(database.db, 23);
    const user = athlete.discord_user_id;
    expect((await run(user, { subcommand: 'set', date: 'yesterday', name: 'Old race' })).content).toBe(
      'Tue 24 Nov 2026 has passed; a goal is a day ahead.',
    );
    const parsed = goal.options.safeParse({ subcommand: 'set', date: 'sat', name: 'X', target_tsb: 80 });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.message)).toEqual([
      'target_tsb must be between -50 and 50 (race form is usually +5 to +15)',
    ]);
    await run(user, { subcommand: 'set', date: '2026-12-20', name: 'Later race' });
    const nearer = await run(user, { subcommand: 'set', date: '2026-12-05', name: 'Tune-up' });
    expect(nearer.embeds?.[0]?.title).toBe('🏁 Tune-up');
    const choices = await goal.autocomplete!(
      {
        invoker: invokerFor(user),
        focused: { name: 'goal', value: 'later' },
        options: { subcommand: 'clear' },
      },
      commandContext(database.db, now),
    );
    expect(choices.map((c) => c.name)).toEqual(['Sun 20 Dec 2026 · Later race']);
    expect((await run(user, { subcommand: 'clear' })).content).toBe(
      'Removed the goal **Tune-up** (Sat 5 Dec 2026).',
    );
    expect((await run(user, { subcommand: 'view' })).embeds?.[0]?.title).toBe('🏁 Later race');
  });

  it('words the gap to the target', () => {
    expect(againstTarget(9, 10)).toBe('On target (+10.0).');
    expect(againstTarget(20, 10)).toBe(
      '10.0 above your target of +10.0: you can train a little more, or taper later.',
    );
  });
});
