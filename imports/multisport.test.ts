import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ParsedActivityFile } from '../activities/activity-file.ts';
import { storeStreams } from '../activities/activity-store.ts';
import { mergeStravaDelivery } from '../activities/strava-merge.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { toJson } from '../db/tables/json.ts';
import type { StravaActivity } from '../ingest/strava-port.ts';
import { activityDeps, createTestDatabase, type TestDatabase } from '../test/context.ts';
import { type ImportDeps, importActivityFileLegs } from './import-file.ts';
import { uploadLegsReply } from './upload-reply.ts';

const raceStart = new Date('2026-05-10T07:00:00Z');
const now = new Date('2026-05-12T12:00:00Z');

/** One leg at 1 Hz starting `offsetS` after the race start. */
function leg(
  sport: string,
  offsetS: number,
  seconds: number,
  channels: ParsedActivityFile['streams']['channels'],
) {
  return {
    format: 'fit' as const,
    streams: { time: Array.from({ length: seconds }, (_, i) => i), channels },
    sport,
    startTime: new Date(raceStart.getTime() + offsetS * 1000),
    name: null,
    warnings: [],
  };
}

/** A duathlon-style brick as the leg decoder will give it: a 30 min run, a 2 min transition, a 60 min ride. */
function brickLegs(): ParsedActivityFile[] {
  const run = 1800;
  const transition = 120;
  const ride = 3600;
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return [
    leg('Run', 0, run, {
      velocity_smooth: series(run, () => 3.5),
      distance: series(run, (i) => i * 3.5),
      heartrate: series(run, () => 160),
    }),
    leg('Transition', run, transition, { heartrate: series(transition, () => 150) }),
    leg('Ride', run + transition, ride, {
      watts: series(ride, () => 225),
      heartrate: series(ride, () => 150),
      cadence: series(ride, () => 90),
    }),
  ];
}
const spanS = 1800 + 120 + 3600 - 1;

describe('multisport files: one activity per leg', () => {
  let database: TestDatabase;
  let deps: ImportDeps;
  let athlete: AthleteRow;
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = activityDeps(database.db, { now });
  });
  afterAll(() => database.drop());

  beforeEach(async () => {
    sequence += 1;
    athlete = await database.db
      .insertInto('athletes')
      .values({ discord_user_id: `68000000000000000${sequence}`, timezone: 'UTC' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('athlete_thresholds')
      .values([
        { athlete_id: athlete.id, kind: 'ftp', value: 250, effective_date: '2026-01-01' },
        { athlete_id: athlete.id, kind: 'threshold_pace', value: 250, effective_date: '2026-01-01' },
        { athlete_id: athlete.id, kind: 'lthr', value: 170, effective_date: '2026-01-01' },
      ])
      .execute();
  });

  const activities = () =>
    database.db
      .selectFrom('activities')
      .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
      .select([
        'activities.id',
        'activities.sport_type',
        'activities.strava_id',
        'activities.source',
        'activities.multisport_group',
        'activities.leg_index',
        'activities.elapsed_time_s',
        'activity_metrics.stress',
        'activity_metrics.stress_method',
        'activity_metrics.intensity',
      ])
      .where('activities.athlete_id', '=', athlete.id)
      .orderBy('activities.start_date')
      .execute();
  const dayStress = async () =>
    (
      await database.db
        .selectFrom('daily_load')
        .select('stress')
        .where('athlete_id', '=', athlete.id)
        .where('date', '=', '2026-05-10')
        .executeTakeFirstOrThrow()
    ).stress;

  async function upload(sourceRef = 'sha256-of-the-brick') {
    return importActivityFileLegs(deps, athlete, {
      source: 'file_upload',
      sourceRef,
      fileName: 'brick.fit',
      legs: brickLegs(),
    });
  }

  /** What Strava makes of the same workout: one activity over the whole span. */
  function stravaWhole(id: string): StravaActivity {
    return {
      id,
      name: 'Morning Multisport',
      sportType: 'Workout',
      startDate: new Date(raceStart.getTime() + 20_000),
      startDateLocal: '2026-05-10 07:00:20',
      timezone: 'UTC',
      distanceM: 6300 + 30_000,
      movingTimeS: 5400,
      elapsedTimeS: spanS,
      elevationGainM: null,
      manual: false,
      private: false,
      raw: { id },
    };
  }
  const wholeStreams = () => {
    const time = Array.from({ length: spanS }, (_, i) => i);
    return {
      time: { data: time },
      heartrate: { data: time.map(() => 155) },
      watts: { data: time.map(() => 200) },
      cadence: { data: time.map(() => 85) },
      velocity_smooth: { data: time.map(() => 6) },
      latlng: { data: time.map(() => [45, 5]) },
      altitude: { data: time.map(() => 200) },
    };
  };

  it('stores each leg as its own activity with its own sport and stress; transitions are legs too', async () => {
    const stored = await upload();
    expect(stored.map((s) => s.status)).toEqual(['created', 'created', 'created']);
    const rows = await activities();
    // The athlete is told it became three activities, each shown with its own sport and stress.
    const reply = uploadLegsReply(
      brickLegs().map((parsed, i) => ({
        fileName: 'brick.fit',
        parsed,
        stored: stored[i]!,
        activity: {
          name: `leg ${i + 1}`,
          sport_type: rows[i]!.sport_type,
          start_date_local: '2026-05-10T07:00',
          distance_m: null,
        },
        metrics: {
          stress: rows[i]!.stress!,
          stress_method: rows[i]!.stress_method!,
          duration_s: 60,
          moving_s: 60,
          np_w: null,
          intensity: rows[i]!.intensity,
          avg_hr: null,
          decoupling_pct: null,
        },
        units: 'metric' as const,
      })),
    );
    expect(reply.content).toMatch(/^🔀 A multisport file: 3 legs, each its own activity/);
    expect(reply.embeds?.map((e) => e.fields?.find((f) => f.name === 'Sport')?.value)).toEqual([
      'Run',
      'Transition',
      'Ride',
    ]);
    expect(reply.embeds?.[2]?.fields?.find((f) => f.name === 'Stress')?.value).toBe(
      `${rows[2]!.stress!.toFixed(0)} (power)`,
    );
    expect(rows.map((r) => [r.sport_type, r.leg_index])).toEqual([
      ['Run', 0],
      ['Transition', 1],
      ['Ride', 2],
    ]);
    expect(new Set(rows.map((r) => r.multisport_group))).toEqual(
      new Set(['file_upload:sha256-of-the-brick']),
    );
    expect(rows.map((r) => r.elapsed_time_s)).toEqual([1799, 119, 3599]);
    // The run by pace (3.5 m/s against 4:10 /km = 4 m/s), the ride by power (225 W against 250 W).
    expect(rows[0]).toMatchObject({ stress_method: 'pace' });
    expect(rows[0]!.intensity).toBeCloseTo(0.875, 10);
    expect(rows[2]).toMatchObject({ stress_method: 'power' });
    expect(rows[2]!.intensity).toBeCloseTo(0.9, 10);
    expect(rows[2]!.stress).toBeCloseTo((3600 / 3600) * 0.9 ** 2 * 100, 6);
    expect(rows[1]!.stress_method).not.toBe('power');
    const total = rows.reduce((sum, r) => sum + r.stress!, 0);
    expect(await dayStress()).toBeCloseTo(total, 9);

    // The same file again changes nothing.
    const again = await upload();
    expect(again.map((s) => s.status)).toEqual(['already_imported', 'already_imported', 'already_imported']);
    expect(await activities()).toEqual(rows);
  });

  it('a Strava activity of the whole span already there gives way to the legs, and its later deliveries join them', async () => {
    const strava = await database.db
      .insertInto('activities')
      .values({
        athlete_id: athlete.id,
        source: 'strava_api',
        strava_id: '7770001',
        name: 'Morning Multisport',
        sport_type: 'Workout',
        start_date: new Date(raceStart.getTime() + 20_000),
        start_date_local: '2026-05-10T07:00:20',
        local_date: '2026-05-10',
        elapsed_time_s: spanS,
        moving_time_s: 5400,
        summary: toJson({ id: '7770001' }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await storeStreams(database.db, strava.id, wholeStreams());

    const stored = await upload('sha256-two');
    expect(stored.map((s) => s.status)).toEqual(['created', 'created', 'created']);
    const rows = await activities();
    expect(rows.map((r) => r.sport_type)).toEqual(['Run', 'Transition', 'Ride']);
    expect(rows.map((r) => r.strava_id)).toEqual(['7770001', null, null]);
    expect(rows.some((r) => r.id === strava.id)).toBe(false);
    const total = rows.reduce((sum, r) => sum + r.stress!, 0);
    expect(await dayStress()).toBeCloseTo(total, 9);
    const provenance = await database.db
      .selectFrom('activity_sources')
      .select(['source', 'source_ref', 'kept'])
      .where('activity_id', '=', rows[0]!.id)
      .orderBy('source')
      .execute();
    expect(provenance).toEqual([
      { source: 'file_upload', source_ref: 'sha256-two#leg1', kept: true },
      { source: 'strava_api', source_ref: '7770001', kept: false },
    ]);

    // The Strava activity is updated later (a webhook): it joins the legs, its richer streams do not
    // replace the run leg's.
    const merged = await mergeStravaDelivery(database.db, athlete.id, stravaWhole('7770001'), wholeStreams());
    expect(merged?.activityId).toBe(rows[0]!.id);
    const after = await activities();
    expect(after).toEqual(rows);
    const channels = await database.db
      .selectFrom('activity_streams')
      .select('channels')
      .where('activity_id', '=', rows[0]!.id)
      .executeTakeFirstOrThrow();
    expect(channels.channels).toEqual(['distance', 'heartrate', 'time', 'velocity_smooth']);
  });

  it('a Strava activity of the whole span arriving after the legs joins them instead of counting twice', async () => {
    await upload('sha256-three');
    const rows = await activities();
    const merged = await mergeStravaDelivery(database.db, athlete.id, stravaWhole('8880001'), wholeStreams());
    expect(merged?.activityId).toBe(rows[0]!.id);
    const after = await activities();
    expect(after.length).toBe(3);
    expect(after.map((r) => r.sport_type)).toEqual(['Run', 'Transition', 'Ride']);
    expect(after[0]!.strava_id).toBe('8880001');
    expect(after.map((r) => r.source)).toEqual(['file_upload', 'file_upload', 'file_upload']);
  });

  it('an export entry naming the Strava id of the whole workout replaces it with the legs', async () => {
    await database.db
      .insertInto('activities')
      .values({
        athlete_id: athlete.id,
        source: 'strava_api',
        strava_id: '9990001',
        name: 'Race',
        sport_type: 'Workout',
        // Strava's start can differ by more than the duplicate window: the id decides.
        start_date: new Date(raceStart.getTime() + 600_000),
        start_date_local: '2026-05-10T07:10:00',
        local_date: '2026-05-10',
        elapsed_time_s: spanS - 600,
      })
      .execute();
    const stored = await importActivityFileLegs(deps, athlete, {
      source: 'strava_export',
      sourceRef: '9990001',
      fileName: '9990001.fit',
      legs: brickLegs(),
      name: 'Race',
      sport: 'Workout',
      stravaId: '9990001',
    });
    expect(stored.map((s) => s.status)).toEqual(['created', 'created', 'created']);
    const rows = await activities();
    expect(rows.map((r) => [r.sport_type, r.strava_id, r.source])).toEqual([
      ['Run', '9990001', 'strava_export'],
      ['Transition', null, 'strava_export'],
      ['Ride', null, 'strava_export'],
    ]);
  });
  it('a multisport file stored whole before legs existed is replaced by its legs when uploaded again', async () => {
    // What the single-session reader made of it: the whole span as one activity of the first sport.
    const whole = leg('Run', 0, spanS + 1, { heartrate: Array.from({ length: spanS + 1 }, () => 155) });
    const before = await importActivityFileLegs(deps, athlete, {
      source: 'file_upload',
      sourceRef: 'sha256-four',
      fileName: 'brick.fit',
      legs: [whole],
    });
    expect(before.map((s) => s.status)).toEqual(['created']);
    const after = await upload('sha256-four');
    expect(after.map((s) => s.status)).toEqual(['created', 'created', 'created']);
    const rows = await activities();
    expect(rows.map((r) => r.sport_type)).toEqual(['Run', 'Transition', 'Ride']);
    expect(rows.some((r) => r.id === before[0]!.activityId)).toBe(false);
    expect(await dayStress()).toBeCloseTo(
      rows.reduce((sum, r) => sum + r.stress!, 0),
      9,
    );
  });
});
