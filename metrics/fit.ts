import { Decoder, Stream } from '@garmin/fitsdk';
import type { RawStreams } from './streams.ts';

export interface FitActivity {
  streams: RawStreams;
  /** Strava-style sport name from the session (or sport) message, null when the file has none. */
  sport: string | null;
  startTime: Date | null;
  /** What the device itself computed, for cross-checks. */
  device: { normalizedPower: number | null; tss: number | null; intensityFactor: number | null };
  /** What could not be read; the rest was kept. */
  warnings: string[];
}

export class FitError extends Error {
  override name = 'FitError';
}

const semicirclesToDegrees = 180 / 2 ** 31;

/** FIT sport (and sub-sport) to the Strava sport type the rest of the product speaks. */
export function fitSportToStrava(sport: string | undefined, subSport: string | undefined): string | null {
  if (!sport) return null;
  const sub = subSport ?? '';
  const map: Record<string, string> = {
    cycling: /virtual|indoor|spin/i.test(sub)
      ? 'VirtualRide'
      : /mountain/i.test(sub)
        ? 'MountainBikeRide'
        : /gravel/i.test(sub)
          ? 'GravelRide'
          : 'Ride',
    eBiking: 'EBikeRide',
    running: /treadmill|virtual|indoor/i.test(sub) ? 'VirtualRun' : /trail/i.test(sub) ? 'TrailRun' : 'Run',
    swimming: 'Swim',
    walking: 'Walk',
    hiking: 'Hike',
    rowing: 'Rowing',
    standUpPaddleboarding: 'StandUpPaddling',
    kayaking: 'Kayaking',
    crossCountrySkiing: 'NordicSki',
    alpineSkiing: 'AlpineSki',
    training: /strength/i.test(sub) ? 'WeightTraining' : 'Workout',
    fitnessEquipment: /rowing/i.test(sub)
      ? 'Rowing'
      : /elliptical/i.test(sub)
        ? 'Elliptical'
        : /stair/i.test(sub)
          ? 'StairStepper'
          : 'Workout',
    generic: 'Workout',
    multisport: 'Workout',
  };
  return map[sport] ?? sport.charAt(0).toUpperCase() + sport.slice(1);
}

/**
 * Decodes a FIT file into the stream shape the engine reads (seconds from the first record, speed,
 * distance, altitude, heart rate, power, cadence, temperature, position). A partly corrupt file keeps
 * every record decoded before the damage, with a warning saying what was lost.
 */
export function fitToStreams(bytes: Uint8Array): FitActivity {
  const stream = Stream.fromByteArray(Array.from(bytes));
  if (!Decoder.isFIT(stream)) throw new FitError('not a FIT file (no FIT header)');
  const decoder = new Decoder(stream);
  const warnings: string[] = [];
  if (!decoder.checkIntegrity())
    warnings.push('the file failed its integrity check (size or CRC); reading what decodes');
  const { messages, errors } = decoder.read({
    convertDateTimesToDates: true,
    expandComponents: true,
    mergeHeartRates: true,
  });
  for (const error of errors)
    warnings.push(`decoding stopped early: ${error instanceof Error ? error.message : String(error)}`);
  const records = (messages.recordMesgs ?? []) as Record<string, unknown>[];
  const session = ((messages.sessionMesgs ?? []) as Record<string, unknown>[])[0];
  const sportMesg = ((messages.sportMesgs ?? []) as Record<string, unknown>[])[0];
  const timed = records.filter((r) => r.timestamp instanceof Date);
  if (timed.length < records.length)
    warnings.push(`${records.length - timed.length} records without a timestamp were skipped`);
  if (timed.length === 0 && records.length === 0 && errors.length > 0)
    warnings.push('no records could be read');
  const start = timed[0]?.timestamp as Date | undefined;
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const time: number[] = [];
  const watts: (number | null)[] = [];
  const heartrate: (number | null)[] = [];
  const cadence: (number | null)[] = [];
  const speed: (number | null)[] = [];
  const distance: (number | null)[] = [];
  const altitude: (number | null)[] = [];
  const temp: (number | null)[] = [];
  const latlng: ([number, number] | null)[] = [];
  for (const r of timed) {
    time.push(((r.timestamp as Date).getTime() - start!.getTime()) / 1000);
    watts.push(num(r.power));
    heartrate.push(num(r.heartRate));
    cadence.push(num(r.cadence));
    speed.push(num(r.enhancedSpeed) ?? num(r.speed));
    distance.push(num(r.distance));
    altitude.push(num(r.enhancedAltitude) ?? num(r.altitude));
    temp.push(num(r.temperature));
    const lat = num(r.positionLat);
    const lng = num(r.positionLong);
    latlng.push(
      lat !== null && lng !== null ? [lat * semicirclesToDegrees, lng * semicirclesToDegrees] : null,
    );
  }
  const any = (values: unknown[]) => values.some((v) => v !== null);
  const channels: RawStreams['channels'] = {};
  if (any(watts)) channels.watts = watts;
  if (any(heartrate)) channels.heartrate = heartrate;
  if (any(cadence)) channels.cadence = cadence;
  if (any(speed)) channels.velocity_smooth = speed;
  if (any(distance)) channels.distance = distance;
  if (any(altitude)) channels.altitude = altitude;
  if (any(temp)) channels.temp = temp;
  const sessionSport = (session?.sport ?? sportMesg?.sport) as string | undefined;
  const subSport = (session?.subSport ?? sportMesg?.subSport) as string | undefined;
  let sport = fitSportToStrava(sessionSport, subSport);
  if (!sport && channels.watts) sport = 'Ride';
  return {
    streams: { time, channels, ...(any(latlng) ? { latlng } : {}) },
    sport,
    startTime: start ?? (session?.startTime as Date | undefined) ?? null,
    device: {
      normalizedPower: num(session?.normalizedPower) || null,
      tss: num(session?.trainingStressScore) || null,
      intensityFactor: num(session?.intensityFactor) || null,
    },
    warnings,
  };
}
