import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchActivityToPlan, matchPlanByHand } from '../activities/match-activity.ts';
import { findPlan, insertPlan, upsertGoal } from '../db/queries/planning.ts';
import { createLogger } from '../lib/logger.ts';
import { createActivity, createAthlete, createTestDatabase, type TestDatabase } from '../test/context.ts';
import { planDaySummary } from './day-summary.ts';
import { forecastForAthlete } from './forecast-store.ts';

let database: TestDatabase;
const silent = createLogger({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('matchActivityToPlan (the ingest hook)', () => {
  it('marks the closest plan of the day and sport done, and frees it when the activity is deleted', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 1);
    const long = await insertPlan(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Ride',
      title: 'Long ride',
      plannedStress: 220,
      plannedDurationS: 4 * 3600,
    });
    const easy = await insertPlan(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Ride',
      title: 'Coffee spin',
      plannedStress: 30,
      plannedDurationS: 3600,
    });
    const run = await insertPlan(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Run',
      title: 'Jog',
      plannedStress: 40,
    });

    const ride = await createActivity(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Ride',
      stress: 35,
      movingS: 3300,
    });
    await matchActivityToPlan(db, ride, silent);
    expect((await findPlan(db, athlete.id, easy.id))?.activity_id).toBe(ride);
    expect((await findPlan(db, athlete.id, easy.id))?.status).toBe('done');
    expect((await findPlan(db, athlete.id, long.id))?.activity_id).toBeNull();
    expect((await findPlan(db, athlete.id, run.id))?.activity_id).toBeNull();

    // A second, bigger ride that day goes to the long ride; the first keeps the short one.
    const big = await createActivity(db, athlete.id, {
      date: '2026-11-28',
      sport: 'VirtualRide',
      stress: 200,
      movingS: 13_000,
    });
    await matchActivityToPlan(db, big, silent);
    expect((await findPlan(db, athlete.id, long.id))?.activity_id).toBe(big);
    expect((await findPlan(db, athlete.id, easy.id))?.activity_id).toBe(ride);

    await db.deleteFrom('activities').where('id', '=', big).execute();
    const freed = await findPlan(db, athlete.id, long.id);
    expect(freed).toMatchObject({ activity_id: null, matched_by: null, status: 'planned' });
  });

  it('re-matches when the activity moves to another day, and keeps a match made by hand', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 2);
    const sat = await insertPlan(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Run',
      title: 'Sat run',
      plannedStress: 60,
    });
    const sun = await insertPlan(db, athlete.id, {
      date: '2026-11-29',
      sport: 'Run',
      title: 'Sun run',
      plannedStress: 60,
    });
    const activity = await createActivity(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Run',
      stress: 58,
      movingS: 3600,
    });
    await matchActivityToPlan(db, activity, silent);
    expect((await findPlan(db, athlete.id, sat.id))?.activity_id).toBe(activity);

    await db.updateTable('activities').set({ local_date: '2026-11-29' }).where('id', '=', activity).execute();
    await matchActivityToPlan(db, activity, silent);
    expect((await findPlan(db, athlete.id, sat.id))?.activity_id).toBeNull();
    expect((await findPlan(db, athlete.id, sun.id))?.activity_id).toBe(activity);

    // By hand: it was Saturday's run after all. A later sync does not undo that.
    await matchPlanByHand(db, athlete.id, sat.id, activity);
    await matchActivityToPlan(db, activity, silent);
    expect(await findPlan(db, athlete.id, sat.id)).toMatchObject({
      activity_id: activity,
      matched_by: 'manual',
      status: 'done',
    });
    expect(await findPlan(db, athlete.id, sun.id)).toMatchObject({ activity_id: null, status: 'planned' });
  });

  it('inside the sync transaction, a failure is logged and rolled back to its savepoint only', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 3);
    const activity = await createActivity(db, athlete.id, {
      date: '2026-11-28',
      sport: 'Run',
      stress: 50,
      movingS: 3000,
    });
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    await db.transaction().execute(async (trx) => {
      // Make matching fail: the plans table is out of reach for this transaction.
      await sql`ALTER TABLE planned_workouts RENAME TO planned_workouts_away`.execute(trx);
      await matchActivityToPlan(trx, activity, logger);
      await sql`ALTER TABLE planned_workouts_away RENAME TO planned_workouts`.execute(trx);
      // The transaction is still usable: the sync's own writes go on.
      await trx.updateTable('activities').set({ name: 'still here' }).where('id', '=', activity).execute();
    });
    const row = await db
      .selectFrom('activities')
      .select('name')
      .where('id', '=', activity)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('still here');
    expect(lines.join('')).toContain('matching the activity to the plan failed');
  });
});

describe('forecastForAthlete', () => {
  it('runs the stored PMC forward over the plan to the goal (numbers worked by hand)', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 4);
    // The stored PMC ends yesterday (2026-11-24) at CTL 50, ATL 60 after a 70 TSS day.
    await db
      .insertInto('daily_load')
      .values({ athlete_id: athlete.id, date: '2026-11-24', stress: 70, ctl: 50, atl: 60, tsb: -8, ramp: 1 })
      .execute();
    await insertPlan(db, athlete.id, {
      date: '2026-11-26',
      sport: 'Ride',
      title: 'Intervals',
      plannedStress: 100,
    });
    await upsertGoal(db, athlete.id, { date: '2026-11-27', name: 'Crit', targetTsb: 5 });

    // Zero is the athlete's choice now (the default counts unplanned days at the recent average).
    const zero = await forecastForAthlete(db, { ...athlete, forecast_unplanned: 'zero' }, '2026-11-25');
    expect(zero?.goal).toEqual({ date: '2026-11-27', name: 'Crit', target_tsb: 5 });
    expect(zero?.days.map((d) => [d.date, d.stress])).toEqual([
      ['2026-11-25', 0],
      ['2026-11-26', 100],
      ['2026-11-27', 0],
    ]);
    // Today: TSB 50 − 60 = −10, CTL 50·(1 − 0.0235283) = 48.8236, ATL 60·(1 − 0.1331221) = 52.0127.
    // Tomorrow (+100): TSB −3.1891, CTL 50.0277, ATL 58.4008. Race day: TSB −8.3732, CTL 48.8506, ATL 50.6264.
    const expectZero = [
      [48.8236, 52.0127, -10],
      [50.0277, 58.4008, -3.1891],
      [48.8506, 50.6264, -8.3732],
    ];
    zero?.days.forEach((d, i) => {
      expect(d.ctl).toBeCloseTo(expectZero[i]![0]!, 4);
      expect(d.atl).toBeCloseTo(expectZero[i]![1]!, 4);
      expect(d.tsb).toBeCloseTo(expectZero[i]![2]!, 4);
    });

    // Recent average: the only recorded day carried 70 TSS, so unplanned days count 70.
    const average = await forecastForAthlete(
      db,
      { ...athlete, forecast_unplanned: 'recent_average' },
      '2026-11-25',
    );
    expect(average?.days.map((d) => d.stress)).toEqual([70, 100, 70]);
    expect(average?.days[1]?.tsb).toBeCloseTo(-10.8607, 4);
    expect(average?.days[2]?.tsb).toBeCloseTo(-14.843, 4);
    expect(average?.days[2]?.ctl).toBeCloseTo(52.068, 4);
    expect(average?.days[2]?.atl).toBeCloseTo(66.9476, 4);

    // A workout done today counts; the plan it fulfilled no longer adds its stress on top.
    const today = await insertPlan(db, athlete.id, {
      date: '2026-11-25',
      sport: 'Run',
      title: 'Easy',
      plannedStress: 40,
    });
    const done = await createActivity(db, athlete.id, {
      date: '2026-11-25',
      sport: 'Run',
      stress: 45,
      movingS: 2700,
    });
    await matchActivityToPlan(db, done, silent);
    expect((await findPlan(db, athlete.id, today.id))?.status).toBe('done');
    // daily_load is what the pipeline's recompute would store for today.
    await db
      .insertInto('daily_load')
      .values({
        athlete_id: athlete.id,
        date: '2026-11-25',
        stress: 45,
        ctl: 49.8824,
        atl: 58.0032,
        tsb: -10,
        ramp: 0,
      })
      .execute();
    const withToday = await forecastForAthlete(db, { ...athlete, forecast_unplanned: 'zero' }, '2026-11-25');
    expect(withToday?.days.map((d) => d.stress)).toEqual([45, 100, 0]);
    expect(withToday?.days[2]?.tsb).toBeCloseTo(-12.5323, 4);
  });

  it('forecasts to the last plan without a goal, from zero without history, and is null with nothing ahead', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 5);
    expect(await forecastForAthlete(db, athlete, '2026-11-25')).toBeNull();
    await insertPlan(db, athlete.id, {
      date: '2026-11-26',
      sport: 'Run',
      title: 'Run',
      plannedDurationS: 3600,
    });
    const forecast = await forecastForAthlete(db, athlete, '2026-11-25');
    expect(forecast?.goal).toBeNull();
    // No stress given: one hour of running at the estimate rate, 50 TSS.
    expect(forecast?.days.map((d) => [d.date, d.stress])).toEqual([
      ['2026-11-25', 0],
      ['2026-11-26', 50],
    ]);
    expect(forecast?.days[1]?.ctl).toBeCloseTo(50 * (1 - Math.exp(-1 / 42)), 10);
  });
});

describe('planDaySummary', () => {
  it('sums a day’s plans against everything done that day', async () => {
    const { db } = database;
    const athlete = await createAthlete(db, 6);
    await insertPlan(db, athlete.id, { date: '2026-11-24', sport: 'Ride', title: 'A', plannedStress: 80 });
    await insertPlan(db, athlete.id, {
      date: '2026-11-24',
      sport: 'Run',
      title: 'B',
      plannedDurationS: 1800,
    });
    await createActivity(db, athlete.id, { date: '2026-11-24', sport: 'Ride', stress: 84, movingS: 3600 });
    const summary = await planDaySummary(db, athlete.id, '2026-11-24');
    expect(summary.plans.map((p) => p.title)).toEqual(['A', 'B']);
    // 80 + 0.5 h × 50 = 105 planned; 84 done = 80 %.
    expect([summary.plannedStress, summary.doneStress, summary.compliance]).toEqual([105, 84, 80]);
    const empty = await planDaySummary(db, athlete.id, '2026-11-25');
    expect([empty.plannedStress, empty.doneStress, empty.compliance]).toEqual([null, 0, null]);
  });
});
