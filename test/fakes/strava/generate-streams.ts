/**
 * Physiologically plausible activity streams for the Strava fake, deterministic from a seed: power that
 * varies around a target with surges, heart rate that lags effort and drifts, speed from power (rides) or
 * pace (runs), rolling terrain, a GPS track, and optional pauses.
 */
import { seededRandom } from '../../../lib/seeded-random.ts';

export interface GeneratedActivity {
  sportType: string;
  durationS: number;
  streams: Record<
    string,
    { data: unknown[]; series_type: string; original_size: number; resolution: string }
  >;
  distanceM: number;
  movingTimeS: number;
  elapsedTimeS: number;
  elevationGainM: number;
}

export function generateActivity(options: {
  seed: number;
  sport: 'Ride' | 'Run' | 'Swim' | 'VirtualRide' | 'Walk';
  durationS: number;
  ftp?: number;
  thresholdSpeed?: number;
  withPower?: boolean;
  withHr?: boolean;
  pauseAtS?: number;
  pauseS?: number;
}): GeneratedActivity {
  const random = seededRandom(options.seed);
  const n = options.durationS;
  const ride = options.sport.includes('Ride');
  const swim = options.sport === 'Swim';
  const withPower = options.withPower ?? ride;
  const withHr = options.withHr ?? true;
  const ftp = options.ftp ?? 250;
  const time: number[] = [];
  const watts: number[] = [];
  const heartrate: number[] = [];
  const cadence: number[] = [];
  const velocity: number[] = [];
  const distance: number[] = [];
  const altitude: number[] = [];
  const grade: number[] = [];
  const latlng: [number, number][] = [];
  const temp: number[] = [];
  const moving: boolean[] = [];
  let hr = 95;
  let dist = 0;
  let alt = 120 + random() * 200;
  let lat = 45.5 + random() * 0.5;
  let lng = 5.5 + random() * 0.5;
  let heading = random() * Math.PI * 2;
  let gain = 0;
  let t = 0;
  const target = 0.6 + random() * 0.25;
  let sprintLeft = 0;
  for (let i = 0; i < n; i++) {
    if (options.pauseAtS !== undefined && i === options.pauseAtS) t += options.pauseS ?? 600;
    const slope = Math.sin(i / 400 + options.seed) * 0.04;
    // Real rides are not flat: coasting downhill, attacks and sprints, threshold intervals.
    if (sprintLeft > 0) sprintLeft--;
    else if (random() < 1 / 900) sprintLeft = 8 + Math.floor(random() * 15);
    const inInterval = i % 1800 > 600 && i % 1800 < 900 && options.seed % 2 === 0;
    let effort = target + (random() - 0.5) * 0.35 + slope * 4;
    if (inInterval) effort = 1.02 + (random() - 0.5) * 0.1;
    if (sprintLeft > 0) effort = 2.2 + random() * 1.5;
    if (slope < -0.025 && random() < 0.7) effort = random() < 0.8 ? 0 : 0.3;
    effort = Math.max(0, effort);
    const p = Math.round(effort * ftp);
    hr += (100 + effort * 85 - hr) * 0.02 + (random() - 0.5) * 0.6 + i / n / 50;
    const v = swim
      ? 0.9 + random() * 0.2
      : ride
        ? 6 + effort * 5 - slope * 40
        : (options.thresholdSpeed ?? 3.6) * (0.75 + effort * 0.3) - slope * 6;
    const speed = Math.max(0.8, v);
    dist += speed;
    const dAlt = slope * speed;
    alt += dAlt;
    if (dAlt > 0) gain += dAlt;
    heading += (random() - 0.5) * 0.05;
    lat += (Math.cos(heading) * speed) / 111_000;
    lng += (Math.sin(heading) * speed) / 78_000;
    time.push(t);
    watts.push(p);
    heartrate.push(Math.round(hr));
    cadence.push(ride ? Math.round(85 + (random() - 0.5) * 10) : Math.round(86 + (random() - 0.5) * 6));
    velocity.push(Number(speed.toFixed(2)));
    distance.push(Number(dist.toFixed(1)));
    altitude.push(Number(alt.toFixed(1)));
    grade.push(Number((slope * 100).toFixed(1)));
    latlng.push([Number(lat.toFixed(6)), Number(lng.toFixed(6))]);
    temp.push(18 + Math.round(random() * 4));
    moving.push(true);
    t += 1;
  }
  const stream = (data: unknown[]) => ({
    data,
    series_type: 'distance',
    original_size: data.length,
    resolution: 'high',
  });
  const streams: GeneratedActivity['streams'] = {
    time: stream(time),
    distance: stream(distance),
    velocity_smooth: stream(velocity),
    altitude: stream(altitude),
    grade_smooth: stream(grade),
    cadence: stream(cadence),
    temp: stream(temp),
    moving: stream(moving),
  };
  if (!swim) streams.latlng = stream(latlng);
  if (withHr) streams.heartrate = stream(heartrate);
  if (withPower) streams.watts = stream(watts);
  return {
    sportType: options.sport,
    durationS: n,
    streams,
    distanceM: Number(dist.toFixed(1)),
    movingTimeS: n,
    elapsedTimeS: t,
    elevationGainM: Number(gain.toFixed(1)),
  };
}
