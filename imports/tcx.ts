import type { ParsedActivityFile } from '../activities/activity-file.ts';
import type { RawStreams } from '../metrics/streams.ts';
import { ActivityFileError } from './errors.ts';
import { asList, child, numberOf, parseActivityXml, textOf, timeOf } from './xml.ts';

/** TCX Activity/@Sport is only Running, Biking or Other. */
const tcxSports: Record<string, string> = { running: 'Run', biking: 'Ride' };

/**
 * Garmin Training Center XML to streams: every Trackpoint of every Lap of the first Activity; speed,
 * watts and run cadence come from the ActivityExtension/v2 `TPX` element.
 */
export function tcxToStreams(text: string): ParsedActivityFile {
  const { document, truncated } = parseActivityXml(text, 'Trackpoint');
  const root = child(document, 'TrainingCenterDatabase');
  if (!root) throw new ActivityFileError('not a TCX file (no TrainingCenterDatabase element)');
  const activities = asList(child(child(root, 'Activities'), 'Activity'));
  const warnings: string[] = [];
  if (truncated)
    warnings.push('the file ends early (truncated); kept every complete trackpoint before the cut');
  if (activities.length === 0) throw new ActivityFileError('the TCX file holds no activity');
  if (activities.length > 1)
    warnings.push(`the file holds ${activities.length} activities; only the first was read`);
  const activity = activities[0];
  const sportAttr = textOf(child(activity, '@Sport'))?.toLowerCase() ?? '';
  const time: number[] = [];
  const heartrate: (number | null)[] = [];
  const cadence: (number | null)[] = [];
  const speed: (number | null)[] = [];
  const distance: (number | null)[] = [];
  const altitude: (number | null)[] = [];
  const watts: (number | null)[] = [];
  const latlng: ([number, number] | null)[] = [];
  let start: number | null = null;
  let badTime = 0;
  for (const lap of asList(child(activity, 'Lap'))) {
    for (const track of asList(child(lap, 'Track'))) {
      for (const point of asList(child(track, 'Trackpoint'))) {
        const at = timeOf(child(point, 'Time'));
        if (!Number.isFinite(at)) {
          badTime++;
          continue;
        }
        start ??= at;
        time.push((at - start) / 1000);
        const position = child(point, 'Position');
        const lat = numberOf(child(position, 'LatitudeDegrees'));
        const lng = numberOf(child(position, 'LongitudeDegrees'));
        latlng.push(lat !== null && lng !== null ? [lat, lng] : null);
        altitude.push(numberOf(child(point, 'AltitudeMeters')));
        distance.push(numberOf(child(point, 'DistanceMeters')));
        heartrate.push(numberOf(child(child(point, 'HeartRateBpm'), 'Value')));
        const tpx = child(child(point, 'Extensions'), 'TPX');
        cadence.push(numberOf(child(point, 'Cadence')) ?? numberOf(child(tpx, 'RunCadence')));
        speed.push(numberOf(child(tpx, 'Speed')));
        watts.push(numberOf(child(tpx, 'Watts')));
      }
    }
  }
  if (badTime > 0) warnings.push(`${badTime} trackpoints without a readable time were skipped`);
  const channels: RawStreams['channels'] = {};
  const any = (values: unknown[]) => values.some((v) => v !== null);
  if (any(watts)) channels.watts = watts;
  if (any(heartrate)) channels.heartrate = heartrate;
  if (any(cadence)) channels.cadence = cadence;
  if (any(speed)) channels.velocity_smooth = speed;
  if (any(distance)) channels.distance = distance;
  if (any(altitude)) channels.altitude = altitude;
  const notes = textOf(child(activity, 'Notes'));
  return {
    format: 'tcx',
    streams: { time, channels, ...(any(latlng) ? { latlng } : {}) },
    sport: tcxSports[sportAttr] ?? (channels.watts ? 'Ride' : null),
    startTime: start === null ? null : new Date(start),
    name: notes ? notes.slice(0, 200) : null,
    warnings,
  };
}
