import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAthlete, listThresholds, setThreshold, thresholdsOn } from '../db/queries/athletes.ts';
import { type DatabaseContext, givenStravaActivity, startDatabaseContext } from '../test/context.ts';
import { analyzeStoredActivity, storeStreams } from './activity-store.ts';

/** Ten minutes of riding with heart rate climbing to `peak`. */
function streams(peak: number) {
  const time = Array.from({ length: 600 }, (_, i) => i);
  return {
    time: { data: time },
    heartrate: { data: time.map((i) => Math.round(120 + ((peak - 120) * i) / 599)) },
  };
}

describe('the highest heart rate seen, kept per athlete', () => {
  let base: DatabaseContext;
  let database: DatabaseContext['database'];
  let athleteId: string;
  let day = 0;

  function addActivity(peak: number): Promise<string> {
    day += 1;
    return givenStravaActivity(base.deps, athleteId, {
      stravaId: String(650_000 + day),
      name: `Ride ${day}`,
      sport: 'Ride',
      start: new Date(Date.UTC(2026, 0, day, 8)),
      startLocal: `2026-01-${String(day).padStart(2, '0')}T08:00:00`,
      movingS: 600,
      streams: streams(peak),
    });
  }

  const seen = async () =>
    (
      await database.db
        .selectFrom('athletes')
        .select('max_hr_seen')
        .where('id', '=', athleteId)
        .executeTakeFirstOrThrow()
    ).max_hr_seen;

  beforeAll(async () => {
    base = await startDatabaseContext();
    database = base.database;
    athleteId = (await ensureAthlete(database.db, '650000000000000001')).id;
  });
  afterAll(() => base?.stop());

  it('rises as activities arrive and is what the next analysis uses', async () => {
    expect(await seen()).toBeNull();
    await addActivity(180);
    expect(await seen()).toBe(180);
    const second = await addActivity(175);
    expect(await seen()).toBe(180);
    const used = await database.db
      .selectFrom('activity_metrics')
      .select(['thresholds_used', 'max_hr'])
      .where('activity_id', '=', second)
      .executeTakeFirstOrThrow();
    expect(used.max_hr).toBe(175);
    expect(used.thresholds_used).toMatchObject({ maxHr: 180, maxHrSource: 'history' });
    await addActivity(190);
    expect(await seen()).toBe(190);
  });

  it('falls back to the next highest when the holder is re-analysed lower or deleted', async () => {
    const holder = await database.db
      .selectFrom('activity_metrics')
      .select('activity_id')
      .where('athlete_id', '=', athleteId)
      .where('max_hr', '=', 190)
      .executeTakeFirstOrThrow();
    await storeStreams(database.db, holder.activity_id, streams(170));
    await analyzeStoredActivity(database.db, holder.activity_id);
    expect(await seen()).toBe(180);

    const top = await database.db
      .selectFrom('activity_metrics')
      .select('activity_id')
      .where('athlete_id', '=', athleteId)
      .where('max_hr', '=', 180)
      .executeTakeFirstOrThrow();
    await database.db.deleteFrom('activities').where('id', '=', top.activity_id).execute();
    expect(await seen()).toBe(175);

    // A lower activity going away leaves it alone.
    const low = await database.db
      .selectFrom('activity_metrics')
      .select('activity_id')
      .where('athlete_id', '=', athleteId)
      .where('max_hr', '=', 170)
      .executeTakeFirstOrThrow();
    await database.db.deleteFrom('activities').where('id', '=', low.activity_id).execute();
    expect(await seen()).toBe(175);

    await database.db.deleteFrom('activities').where('athlete_id', '=', athleteId).execute();
    expect(await seen()).toBeNull();
  });

  it('stores a dated run FTP like the other thresholds', async () => {
    await setThreshold(database.db, athleteId, 'run_ftp', 310, '2026-03-01');
    await setThreshold(database.db, athleteId, 'run_ftp', 330, '2026-06-01');
    const rows = await listThresholds(database.db, athleteId);
    expect(thresholdsOn(rows, '2026-01-15').run_ftp).toBe(310);
    expect(thresholdsOn(rows, '2026-06-01').run_ftp).toBe(330);
  });
});
