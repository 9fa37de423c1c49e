import type { Db } from '../../db/connect.ts';
import { activityStresses, insertActivity } from '../../db/queries/activities.ts';
import { saveActivityMetrics } from '../../db/queries/activity-metrics.ts';
import { insertAthlete, setThreshold } from '../../db/queries/athletes.ts';
import { deleteDailyLoad, replaceDailyLoad } from '../../db/queries/daily-load.ts';
import type { ActivitySource } from '../../db/tables/activities.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { toJson } from '../../db/tables/json.ts';
import { addDays } from '../../lib/local-time.ts';
import { seededRandom } from '../../lib/seeded-random.ts';
import { computePmc } from '../../metrics/pmc.ts';

/**
 * Fixture athletes for the coach's tests and evaluation: activities with stored metrics and the daily load
 * the pipeline would have computed from them, inserted straight into the tables the coach reads.
 */

export interface FixtureActivity {
  date: string;
  name: string;
  sport: 'Ride' | 'Run' | 'Swim';
  source: ActivitySource;
  movingS: number;
  distanceM: number;
  elevationM: number;
  stress: number;
  /** Rides: normalised and average power, and the best power per duration. */
  npW?: number;
  avgW?: number;
  intensity?: number;
  curve?: [number, number][];
  avgHr?: number;
  maxHr?: number;
  /** Runs: normalised graded pace, seconds per km. */
  ngpSPerKm?: number;
  decouplingPct?: number;
}

export interface FixtureAthlete {
  discordUserId: string;
  name: string;
  timezone?: string;
  thresholds?: {
    kind: 'ftp' | 'lthr' | 'max_hr' | 'rest_hr' | 'threshold_pace';
    value: number;
    from: string;
  }[];
  activities: FixtureActivity[];
}

let stravaIds = 9_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;

export async function insertFixtureAthlete(db: Db, fixture: FixtureAthlete): Promise<AthleteRow> {
  const athlete = await insertAthlete(db, {
    discord_user_id: fixture.discordUserId,
    name: fixture.name,
    timezone: fixture.timezone ?? 'UTC',
  });
  for (const threshold of fixture.thresholds ?? []) {
    await setThreshold(db, athlete.id, threshold.kind, threshold.value, threshold.from);
  }
  await insertActivities(db, athlete, fixture.activities);
  return athlete;
}

/** Inserts activities with metrics and recomputes the athlete's whole daily load from every source. */
async function insertActivities(
  db: Db,
  athlete: AthleteRow,
  activities: FixtureActivity[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const activity of activities) {
    const startLocal = `${activity.date}T07:30:00`;
    const id = await insertActivity(db, {
      athlete_id: athlete.id,
      source: activity.source,
      strava_id: activity.source === 'strava_api' ? String(++stravaIds) : null,
      name: activity.name,
      sport_type: activity.sport,
      start_date: new Date(`${startLocal}Z`),
      start_date_local: startLocal,
      local_date: activity.date,
      timezone: athlete.timezone,
      distance_m: activity.distanceM,
      moving_time_s: activity.movingS,
      elapsed_time_s: activity.movingS + 300,
      elevation_gain_m: activity.elevationM,
      streams_state: 'none',
      summary: toJson({}),
    });
    ids.push(id);
    await saveActivityMetrics(db, {
      activity_id: id,
      athlete_id: athlete.id,
      stress: activity.stress,
      stress_method: activity.sport === 'Ride' ? 'power' : activity.sport === 'Run' ? 'pace' : 'hr',
      duration_s: activity.movingS + 300,
      moving_s: activity.movingS,
      np_w: activity.npW ?? null,
      intensity: activity.intensity ?? null,
      avg_hr: activity.avgHr ?? null,
      decoupling_pct: activity.decouplingPct ?? null,
      metrics: toJson(metricsJson(activity)),
      thresholds_used: toJson({}),
    });
  }
  await rebuildDailyLoad(db, athlete);
  return ids;
}

/** What the pipeline stores in daily_load: the PMC over every activity of the athlete. */
async function rebuildDailyLoad(db: Db, athlete: AthleteRow): Promise<void> {
  const rows = await activityStresses(db, athlete.id);
  if (rows.length === 0) {
    await deleteDailyLoad(db, athlete.id);
    return;
  }
  const sources = new Map<string, Set<string>>();
  for (const row of rows)
    sources.set(row.local_date, (sources.get(row.local_date) ?? new Set()).add(row.source));
  const pmc = computePmc(
    rows.map((row) => ({ date: row.local_date, stress: row.stress })),
    {
      ctlDays: athlete.ctl_days,
      atlDays: athlete.atl_days,
      seedCtl: athlete.seed_ctl,
      seedAtl: athlete.seed_atl,
    },
  );
  // Every stored day goes: the range starts at the first day and covers everything after it.
  const first = pmc[0]!.date;
  await replaceDailyLoad(
    db,
    athlete.id,
    { from: first, first },
    pmc.map((day) => ({
      athlete_id: athlete.id,
      date: day.date,
      stress: day.stress,
      ctl: day.ctl,
      atl: day.atl,
      tsb: day.tsb,
      ramp: day.ramp,
      sources: [...(sources.get(day.date) ?? [])],
    })),
  );
}

function metricsJson(a: FixtureActivity) {
  return {
    sport: a.sport.toLowerCase(),
    duration_s: a.movingS + 300,
    moving_s: a.movingS,
    stopped_s: 300,
    power:
      a.npW !== undefined
        ? {
            avg: a.avgW ?? null,
            np: a.npW,
            if: a.intensity ?? null,
            tss: a.stress,
            vi: null,
            work_kj: null,
            ef: null,
          }
        : null,
    pace:
      a.ngpSPerKm !== undefined
        ? {
            ngp_speed: 1000 / a.ngpSPerKm,
            ngp_pace_s_per_km: a.ngpSPerKm,
            if: a.intensity ?? null,
            rtss: a.stress,
          }
        : null,
    hr: a.avgHr !== undefined ? { avg: a.avgHr, max: a.maxHr ?? null, trimp: null, hrtss: null } : null,
    swim: null,
    stress: { value: a.stress, method: a.sport === 'Ride' ? 'power' : a.sport === 'Run' ? 'pace' : 'hr' },
    zones: { power: null, hr: null },
    peaks: {
      power: Object.fromEntries((a.curve ?? []).map(([s, w]) => [String(s), w])),
      hr: {},
      gap_speed: {},
    },
    best_efforts: {},
    power_curve: a.curve ?? [],
    decoupling_pct: a.decouplingPct ?? null,
  };
}

const curveShape: [number, number][] = [
  [5, 3.6],
  [15, 2.9],
  [30, 2.2],
  [60, 1.65],
  [120, 1.35],
  [300, 1.17],
  [600, 1.08],
  [1200, 1.03],
  [1800, 0.98],
  [3600, 0.93],
];

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * A season of a triathlete (rides, runs, a weekly swim) from `from` to `to`: build weeks with a recovery
 * week every fourth, hard rides on Tuesdays, long rides on Saturdays, an FTP that rises mid-season.
 */
export function generateSeason(options: {
  from: string;
  to: string;
  seed?: number;
  ftpChange?: { from: string; ftp: number };
  ftp: number;
  source?: ActivitySource;
}): FixtureActivity[] {
  const random = seededRandom(options.seed ?? 42);
  const activities: FixtureActivity[] = [];
  const source = options.source ?? 'file_upload';
  let week = 0;
  for (let date = options.from; date <= options.to; date = addDays(date, 1)) {
    const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
    if (weekday === 0 && date !== options.from) week += 1;
    const recovery = week % 4 === 3;
    const scale = recovery ? 0.6 : 1 + (week % 4) * 0.08;
    const ftp = options.ftpChange && date >= options.ftpChange.from ? options.ftpChange.ftp : options.ftp;
    const ride = (name: string, hours: number, intensity: number, effort: number) => {
      const movingS = Math.round(hours * scale * 3600);
      const npW = Math.round(ftp * intensity);
      const stress = round1((movingS / 3600) * intensity * intensity * 100);
      const speed = 7.5 + intensity * 2 + random();
      activities.push({
        date,
        name,
        sport: 'Ride',
        source,
        movingS,
        distanceM: Math.round(speed * movingS),
        elevationM: Math.round(200 + random() * 800),
        stress,
        npW,
        avgW: Math.round(npW * 0.93),
        intensity: Math.round(intensity * 1000) / 1000,
        curve: curveShape
          .filter(([seconds]) => seconds <= movingS)
          .map(([seconds, factor]) => [
            seconds,
            Math.round(ftp * factor * effort * (0.97 + random() * 0.03)),
          ]),
        avgHr: Math.round(120 + intensity * 40),
        maxHr: Math.round(150 + intensity * 35),
        decouplingPct: round1(1 + random() * 6),
      });
    };
    const run = (name: string, minutes: number, paceSPerKm: number, intensity: number) => {
      const movingS = Math.round(minutes * scale * 60);
      activities.push({
        date,
        name,
        sport: 'Run',
        source,
        movingS,
        distanceM: Math.round((movingS / paceSPerKm) * 1000),
        elevationM: Math.round(30 + random() * 150),
        stress: round1((movingS / 3600) * intensity * intensity * 100),
        ngpSPerKm: paceSPerKm,
        intensity,
        avgHr: Math.round(135 + intensity * 30),
        maxHr: Math.round(160 + intensity * 25),
      });
    };
    if (date === '2026-10-25') {
      ride('Autumn Classic race', 2.5 / scale, 0.92, 1.0);
      continue;
    }
    switch (weekday) {
      case 1:
        ride('Threshold intervals 3x12', 1.25, 0.86, 1.0);
        break;
      case 2:
        run('Easy run', 45, 330, 0.72);
        break;
      case 3:
        if (!recovery) ride('Endurance ride', 1.75, 0.7, 0.9);
        activities.push({
          date,
          name: 'Pool swim',
          sport: 'Swim',
          source,
          movingS: Math.round(2400 * scale),
          distanceM: Math.round(2000 * scale),
          elevationM: 0,
          stress: round1(40 * scale),
          avgHr: 128,
          maxHr: 150,
        });
        break;
      case 5:
        ride('Long ride', 3.25, 0.72, 0.95);
        break;
      case 6:
        run('Long run', 80, 345, 0.75);
        break;
    }
  }
  return activities;
}
