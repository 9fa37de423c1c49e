import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngDimensions } from '../../charts/renderer.ts';
import { defaultSize, pixelRatio } from '../../charts/theme.ts';
import { insertPlan, setPlanActivity } from '../../db/queries/planning.ts';
import { formatDuration } from '../../lib/pace.ts';
import {
  commandContext,
  createActivity,
  createAthlete,
  createTestDatabase,
  runCommand,
  type TestDatabase,
} from '../../test/context.ts';
import { slashCommands } from './index.ts';
import week from './week.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const now = new Date('2026-11-26T12:00:00Z'); // Thursday

const run = (userId: string, options: Record<string, unknown> = {}) =>
  runCommand(week, commandContext(database.db, now), userId, options);

async function add(
  athleteId: string,
  date: string,
  sport: string,
  movingS: number,
  distanceM: number,
  elevationM: number,
  stress: number,
) {
  const id = await createActivity(database.db, athleteId, { date, sport, stress, movingS });
  await database.db
    .updateTable('activities')
    .set({ distance_m: distanceM, elevation_gain_m: elevationM })
    .where('id', '=', id)
    .execute();
  return id;
}

describe('/week', () => {
  it('is registered with the other commands', () => {
    expect(slashCommands.map((c) => c.data.name)).toContain('week');
  });

  it('shows the week’s totals per sport against the 4 weeks before (hand sums), the plan, fitness per sport and 12 weeks by sport', async () => {
    const athlete = await createAthlete(database.db, 41);
    const ride = await add(athlete.id, '2026-11-23', 'Ride', 3600, 30_000, 300, 60);
    await add(athlete.id, '2026-11-25', 'Ride', 5400, 45_000, 0, 90);
    await add(athlete.id, '2026-11-26', 'Run', 2700, 9_000, 80, 50);
    await add(athlete.id, '2026-11-16', 'Ride', 7200, 60_000, 800, 120);
    await add(athlete.id, '2026-11-02', 'Run', 3600, 12_000, 100, 70);
    const planned = await insertPlan(database.db, athlete.id, {
      date: '2026-11-23',
      sport: 'Ride',
      title: 'Endurance',
      plannedStress: 75,
    });
    await setPlanActivity(database.db, planned.id, ride, 'manual');
    await insertPlan(database.db, athlete.id, {
      date: '2026-11-24',
      sport: 'Run',
      title: 'Tempo',
      plannedStress: 45,
    });
    await insertPlan(database.db, athlete.id, {
      date: '2026-11-28',
      sport: 'Ride',
      title: 'Long',
      plannedStress: 150,
    });

    const reply = await run(athlete.discord_user_id);
    const embed = reply.embeds![0]!;
    expect(embed.title).toBe('Week of Mon 23 Nov – Sun 29 Nov 2026');
    // Rides: 1:00 + 1:30, 30 + 45 km, 300 m, 60 + 90 TSS; 4 weeks before: one 2 h ride of 60 km, 800 m, 120 TSS.
    expect(embed.description).toContain(
      `**🚴 Ride** — ${formatDuration(9000)} · 75.00 km · 300 m · 150 TSS · 2 workouts\n  4-week average: ${formatDuration(1800)} · 15.00 km · 200 m · 30 TSS · 0.3 workouts`,
    );
    expect(embed.description).toContain(
      `**🏃 Run** — ${formatDuration(2700)} · 9.00 km · 80 m · 50 TSS · 1 workout\n  4-week average: ${formatDuration(900)} · 3.00 km · 25 m · 18 TSS · 0.3 workouts`,
    );
    const field = (name: string) => embed.fields!.find((f) => f.name.startsWith(name))?.value;
    expect(field('Total')).toBe(
      `${formatDuration(11_700)} · 84.00 km · 380 m · 200 TSS · 3 workouts\n4-week average: ${formatDuration(2700)} · 18.00 km · 225 m · 48 TSS · 0.5 workouts`,
    );
    // Due so far: Mon (done, 60 of 75) and Tue (missed, 45): 1 of 2, 60 of 120 TSS; Saturday's is ahead.
    expect(field('Plan')).toBe(
      '1 of 2 planned workouts done so far · 60 of 120 planned TSS (50 %) · 1 still ahead',
    );
    expect(field('Fitness (CTL) per sport')).toMatch(/^🚴 Ride \d+\.\d · 🏃 Run \d+\.\d$/);
    expect(reply.files?.[0]?.name).toBe('week.png');
    expect(pngDimensions(reply.files![0]!.data)).toEqual({
      width: defaultSize.width * pixelRatio,
      height: defaultSize.height * pixelRatio,
    });
    expect(reply.personal).not.toBe(false); // ephemeral in servers
  });

  it('reads "last week" and a date, refuses a week ahead, and says when there is nothing', async () => {
    const athlete = await createAthlete(database.db, 42);
    await add(athlete.id, '2026-11-17', 'Swim', 1800, 2000, 0, 30);
    const last = await run(athlete.discord_user_id, { date: 'last week' });
    expect(last.embeds?.[0]?.title).toBe('Week of Mon 16 Nov – Sun 22 Nov 2026');
    expect(last.embeds?.[0]?.description).toBe(
      `**🏊 Swim** — ${formatDuration(1800)} · 2.00 km · 30 TSS · 1 workout\n  4-week average: none`,
    );
    expect((await run(athlete.discord_user_id, { date: '2026-11-18' })).embeds?.[0]?.title).toBe(
      'Week of Mon 16 Nov – Sun 22 Nov 2026',
    );
    expect((await run(athlete.discord_user_id, { date: '2026-12-10' })).content).toContain('is ahead');
    expect((await run(athlete.discord_user_id, { date: '2026-06-01' })).content).toContain(
      'no workouts this week',
    );
  });
});
