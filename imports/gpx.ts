import { haversineM, type ParsedActivityFile } from '../activities/activity-file.ts';
import type { RawStreams } from '../metrics/streams.ts';
import { ActivityFileError } from './errors.ts';
import { asList, child, numberOf, parseActivityXml, textOf, timeOf } from './xml.ts';

/** Strava writes its activity type into trk/type (e.g. "running", "cycling", or the numeric code "1"). */
const gpxTypes: Record<string, string> = {
  running: 'Run',
  run: 'Run',
  '9': 'Run',
  cycling: 'Ride',
  biking: 'Ride',
  ride: 'Ride',
  '1': 'Ride',
  walking: 'Walk',
  walk: 'Walk',
  hiking: 'Hike',
  hike: 'Hike',
  swimming: 'Swim',
  swim: 'Swim',
  rowing: 'Rowing',
};

/**
 * GPX 1.1 to streams: every trkpt of every segment of the first track. Heart rate, cadence and
 * temperature come from Garmin's TrackPointExtension; power from a `power` extension (Strava's export) or
 * Garmin's PowerExtension.
 * GPX has no distance: it is summed from the positions, so the engine can derive speed and pace.
 */
export function gpxToStreams(text: string): ParsedActivityFile {
  const { document, truncated } = parseActivityXml(text, 'trkpt');
  const root = child(document, 'gpx');
  if (!root) throw new ActivityFileError('not a GPX file (no gpx element)');
  const tracks = asList(child(root, 'trk'));
  const warnings: string[] = [];
  if (truncated)
    warnings.push('the file ends early (truncated); kept every complete track point before the cut');
  if (tracks.length === 0)
    throw new ActivityFileError('the GPX file holds no track (routes and waypoints are not workouts)');
  if (tracks.length > 1) warnings.push(`the file holds ${tracks.length} tracks; only the first was read`);
  const track = tracks[0];
  const time: number[] = [];
  const heartrate: (number | null)[] = [];
  const cadence: (number | null)[] = [];
  const temp: (number | null)[] = [];
  const watts: (number | null)[] = [];
  const altitude: (number | null)[] = [];
  const distance: (number | null)[] = [];
  const latlng: ([number, number] | null)[] = [];
  let start: number | null = null;
  let untimed = 0;
  let travelled = 0;
  let previous: [number, number] | null = null;
  for (const segment of asList(child(track, 'trkseg'))) {
    for (const point of asList(child(segment, 'trkpt'))) {
      const at = timeOf(child(point, 'time'));
      if (!Number.isFinite(at)) {
        untimed++;
        continue;
      }
      start ??= at;
      time.push((at - start) / 1000);
      const lat = numberOf(child(point, '@lat'));
      const lon = numberOf(child(point, '@lon'));
      // 0,0 is what some recorders write without a GPS fix, not a workout in the Gulf of Guinea.
      const position: [number, number] | null =
        lat !== null &&
        lon !== null &&
        Math.abs(lat) <= 90 &&
        Math.abs(lon) <= 180 &&
        (lat !== 0 || lon !== 0)
          ? [lat, lon]
          : null;
      if (position && previous) travelled += haversineM(previous, position);
      if (position) previous = position;
      latlng.push(position);
      distance.push(position ? travelled : null);
      altitude.push(numberOf(child(point, 'ele')));
      const extensions = child(point, 'extensions');
      const tpe = child(extensions, 'TrackPointExtension');
      heartrate.push(numberOf(child(tpe, 'hr')) ?? numberOf(child(extensions, 'heartrate')));
      cadence.push(numberOf(child(tpe, 'cad')) ?? numberOf(child(extensions, 'cadence')));
      temp.push(numberOf(child(tpe, 'atemp')) ?? numberOf(child(tpe, 'wtemp')));
      watts.push(
        numberOf(child(extensions, 'power')) ??
          numberOf(child(tpe, 'power')) ??
          // Garmin's PowerExtension (gpxpx:PowerInWatts).
          numberOf(child(child(extensions, 'PowerExtension'), 'PowerInWatts')),
      );
    }
  }
  if (untimed > 0) {
    warnings.push(`${untimed} track points without a time were skipped (a planned route has no times)`);
  }
  const channels: RawStreams['channels'] = {};
  const any = (values: unknown[]) => values.some((v) => v !== null);
  if (any(watts)) channels.watts = watts;
  if (any(heartrate)) channels.heartrate = heartrate;
  if (any(cadence)) channels.cadence = cadence;
  if (any(distance)) channels.distance = distance;
  if (any(altitude)) channels.altitude = altitude;
  if (any(temp)) channels.temp = temp;
  const type = textOf(child(track, 'type'))?.toLowerCase() ?? '';
  const name = textOf(child(track, 'name')) ?? textOf(child(child(root, 'metadata'), 'name'));
  return {
    format: 'gpx',
    streams: { time, channels, ...(any(latlng) ? { latlng } : {}) },
    sport: gpxTypes[type] ?? (channels.watts ? 'Ride' : null),
    startTime: start === null ? null : new Date(start),
    name: name ? name.slice(0, 200) : null,
    warnings,
  };
}
