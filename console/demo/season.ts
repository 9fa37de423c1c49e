import { seededRandom } from '../../lib/seeded-random.ts';
/**
 * The demo athlete's season, generated: a deterministic 18-week block (three weeks building, one easier)
 * of rides with power, runs and a pool swim, as the samples a device records. Pure: no I/O, no clock —
 * the caller gives the last day. Every workout becomes a TCX file and enters through the upload path.
 */

export type DemoSport = 'Ride' | 'Run' | 'Swim';

export interface DemoSample {
  /** Seconds from the start. */
  t: number;
  distanceM: number;
  altitudeM?: number;
  heartrate: number;
  cadence?: number;
  watts?: number;
  speedMs: number;
}

export interface DemoWorkout {
  date: string;
  /** Local start, hours after midnight. */
  startHour: number;
  sport: DemoSport;
  name: string;
  samples: DemoSample[];
}

export interface DemoProfile {
  ftpW: number;
  maxHr: number;
  restHr: number;
  lthr: number;
  /** Run threshold pace, seconds per km. */
  runThresholdSPerKm: number;
  /** Swim threshold pace, seconds per 100 m. */
  swimThresholdSPer100m: number;
}

export const demoProfile: DemoProfile = {
  ftpW: 250,
  maxHr: 188,
  restHr: 48,
  lthr: 168,
  runThresholdSPerKm: 265,
  swimThresholdSPer100m: 105,
};

export const seasonWeeks = 18;
/** Seconds between samples: what a device's smart recording writes, and a quarter of the data of 1 Hz. */
const sampleEveryS = 4;

type Segment = { seconds: number; intensity: number };

export function addDaysTo(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Monday of the week `date` falls in. */
export function mondayOfDate(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDaysTo(date, -weekday);
}

const warmup = (minutes: number): Segment => ({ seconds: minutes * 60, intensity: 0.55 });
const steady = (minutes: number, intensity: number): Segment => ({ seconds: minutes * 60, intensity });
const repeats = (count: number, onMin: number, on: number, offMin: number, off = 0.5): Segment[] =>
  Array.from({ length: count }, () => [steady(onMin, on), steady(offMin, off)]).flat();

/** The week's sessions by weekday (0 = Monday); `load` scales durations (0.7 in an easier week). */
function weekSessions(
  week: number,
  load: number,
): { day: number; sport: DemoSport; name: string; segments: Segment[] }[] {
  const m = (minutes: number) => Math.round(minutes * load);
  const build = 1 + week * 0.02;
  return [
    {
      day: 1,
      sport: 'Ride',
      name: week % 2 === 0 ? 'Threshold intervals 4×8 min' : 'VO2max 5×4 min',
      segments:
        week % 2 === 0
          ? [warmup(15), ...repeats(4, 8, Math.min(1.06, 1.02 * build), 4), warmup(10)]
          : [warmup(15), ...repeats(5, 4, 1.15, 4), warmup(10)],
    },
    { day: 2, sport: 'Run', name: 'Easy run', segments: [steady(m(45), 0.75)] },
    { day: 3, sport: 'Ride', name: 'Endurance ride', segments: [warmup(10), steady(m(80), 0.68), warmup(5)] },
    ...(week % 3 === 1
      ? [
          {
            day: 4,
            sport: 'Swim' as const,
            name: 'Pool swim 10×100 m',
            segments: [steady(10, 0.7), ...repeats(10, 1.75, 0.95, 0.5, 0.3), steady(8, 0.7)],
          },
        ]
      : []),
    {
      day: 5,
      sport: 'Ride',
      name: 'Long ride with tempo',
      segments: [warmup(20), steady(m(60), 0.7), steady(m(30), 0.85), steady(m(40), 0.68), warmup(10)],
    },
    {
      day: 6,
      sport: 'Run',
      name: week % 2 === 0 ? 'Long run' : 'Run with threshold blocks',
      segments:
        week % 2 === 0
          ? [steady(m(75), 0.78)]
          : [steady(15, 0.75), ...repeats(3, 8, 1.0, 3, 0.75), steady(10, 0.75)],
    },
  ];
}

/**
 * The season ending on `lastDay` (that day included): `seasonWeeks` weeks back from its Monday, with
 * every fourth week easier. Days whose sessions `skip` claims (FIT recordings placed there) are left out.
 */
export function generateSeason(lastDay: string, skip: Set<string> = new Set()): DemoWorkout[] {
  const firstMonday = addDaysTo(mondayOfDate(lastDay), -7 * (seasonWeeks - 1));
  const rand = seededRandom(20261201);
  const workouts: DemoWorkout[] = [];
  for (let week = 0; week < seasonWeeks; week++) {
    const easier = week % 4 === 3;
    for (const session of weekSessions(week, easier ? 0.7 : 1)) {
      const date = addDaysTo(firstMonday, week * 7 + session.day);
      if (date > lastDay || skip.has(date)) continue;
      workouts.push({
        date,
        startHour: session.sport === 'Swim' ? 7 : session.day >= 5 ? 9 : 18,
        sport: session.sport,
        name: session.name,
        samples: samplesFor(session.sport, session.segments, rand),
      });
    }
  }
  return workouts;
}

/** Device-like samples: power (rides), pace (runs, swims) and a heart rate that follows the effort. */
export function samplesFor(
  sport: DemoSport,
  segments: Segment[],
  rand: () => number,
  p: DemoProfile = demoProfile,
): DemoSample[] {
  const samples: DemoSample[] = [];
  let t = 0;
  let distance = 0;
  let hr = p.restHr + 30;
  for (const segment of segments) {
    for (let s = 0; s < segment.seconds; s += sampleEveryS) {
      const noise = (rand() - 0.5) * 0.08;
      const intensity = Math.max(0.3, segment.intensity + noise);
      // Heart rate drifts towards the effort's level with a lag of about a minute.
      const targetHr = Math.min(p.maxHr - 2, p.restHr + (p.lthr - p.restHr) * (intensity / 0.98) + t / 600);
      hr += (targetHr - hr) * (sampleEveryS / 60);
      let speed: number;
      let watts: number | undefined;
      let cadence: number | undefined;
      let altitude: number | undefined;
      if (sport === 'Ride') {
        watts = Math.round(p.ftpW * intensity);
        // A flat-road speed for the power (cube root law), in m/s.
        speed = Math.cbrt(watts / 0.18) * 0.95;
        cadence = Math.round(86 + (rand() - 0.5) * 8);
        altitude = 40 + 25 * Math.sin(distance / 4000);
      } else if (sport === 'Run') {
        speed = (1000 / p.runThresholdSPerKm) * (0.7 + 0.3 * intensity);
        cadence = Math.round(84 + (rand() - 0.5) * 4);
        altitude = 15 + 8 * Math.sin(distance / 1500);
      } else {
        speed = intensity < 0.4 ? 0 : (100 / p.swimThresholdSPer100m) * intensity;
      }
      distance += speed * sampleEveryS;
      samples.push({
        t,
        distanceM: Math.round(distance * 10) / 10,
        heartrate: Math.round(hr),
        speedMs: Math.round(speed * 1000) / 1000,
        ...(watts !== undefined ? { watts } : {}),
        ...(cadence !== undefined ? { cadence } : {}),
        ...(altitude !== undefined ? { altitudeM: Math.round(altitude * 10) / 10 } : {}),
      });
      t += sampleEveryS;
    }
  }
  return samples;
}

/** The workout as a TCX file, as Garmin Connect writes one (power and speed in the TPX extension). */
export function toTcxFile(workout: DemoWorkout, start: Date): string {
  const sport = workout.sport === 'Ride' ? 'Biking' : workout.sport === 'Run' ? 'Running' : 'Other';
  const points = workout.samples.map((s) => {
    const parts = [`<Time>${new Date(start.getTime() + s.t * 1000).toISOString()}</Time>`];
    if (s.altitudeM !== undefined) parts.push(`<AltitudeMeters>${s.altitudeM}</AltitudeMeters>`);
    parts.push(`<DistanceMeters>${s.distanceM}</DistanceMeters>`);
    parts.push(`<HeartRateBpm><Value>${s.heartrate}</Value></HeartRateBpm>`);
    if (s.cadence !== undefined) parts.push(`<Cadence>${s.cadence}</Cadence>`);
    const tpx = [`<ns3:Speed>${s.speedMs}</ns3:Speed>`];
    if (s.watts !== undefined) tpx.push(`<ns3:Watts>${s.watts}</ns3:Watts>`);
    parts.push(`<Extensions><ns3:TPX>${tpx.join('')}</ns3:TPX></Extensions>`);
    return `<Trackpoint>${parts.join('')}</Trackpoint>`;
  });
  const id = start.toISOString();
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
<Activities><Activity Sport="${sport}"><Id>${id}</Id><Notes>${workout.name}</Notes>
<Lap StartTime="${id}"><Track>
${points.join('\n')}
</Track></Lap></Activity></Activities></TrainingCenterDatabase>
`;
}
