import type { ParsedActivityFile } from '../../activities/activity-file.ts';

/**
 * Writes a parsed workout back out as TCX or GPX, the way Garmin Connect and Strava write them, so tests
 * run the XML readers on files derived from the real FIT recordings.
 */
export function toTcx(
  activity: ParsedActivityFile,
  sport: 'Running' | 'Biking' | 'Other' = 'Biking',
): string {
  const start = activity.startTime!.getTime();
  const c = activity.streams.channels;
  const points = activity.streams.time.map((t, i) => {
    const at = new Date(start + Number(t) * 1000).toISOString();
    const pos = activity.streams.latlng?.[i] as [number, number] | null | undefined;
    const v = (name: keyof typeof c) => {
      const value = c[name]?.[i];
      return typeof value === 'number' ? value : null;
    };
    const parts = [`<Time>${at}</Time>`];
    if (pos)
      parts.push(
        `<Position><LatitudeDegrees>${pos[0]}</LatitudeDegrees><LongitudeDegrees>${pos[1]}</LongitudeDegrees></Position>`,
      );
    if (v('altitude') !== null) parts.push(`<AltitudeMeters>${v('altitude')}</AltitudeMeters>`);
    if (v('distance') !== null) parts.push(`<DistanceMeters>${v('distance')}</DistanceMeters>`);
    if (v('heartrate') !== null) parts.push(`<HeartRateBpm><Value>${v('heartrate')}</Value></HeartRateBpm>`);
    if (v('cadence') !== null) parts.push(`<Cadence>${v('cadence')}</Cadence>`);
    const tpx: string[] = [];
    if (v('velocity_smooth') !== null) tpx.push(`<ns3:Speed>${v('velocity_smooth')}</ns3:Speed>`);
    if (v('watts') !== null) tpx.push(`<ns3:Watts>${v('watts')}</ns3:Watts>`);
    if (tpx.length > 0) parts.push(`<Extensions><ns3:TPX>${tpx.join('')}</ns3:TPX></Extensions>`);
    return `<Trackpoint>${parts.join('')}</Trackpoint>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
<Activities><Activity Sport="${sport}"><Id>${new Date(start).toISOString()}</Id>
<Lap StartTime="${new Date(start).toISOString()}"><Track>
${points.join('\n')}
</Track></Lap></Activity></Activities></TrainingCenterDatabase>
`;
}

export function toGpx(activity: ParsedActivityFile, name: string, type = 'cycling'): string {
  const start = activity.startTime!.getTime();
  const c = activity.streams.channels;
  const points = activity.streams.time.map((t, i) => {
    const pos = (activity.streams.latlng?.[i] as [number, number] | null | undefined) ?? [0, 0];
    const v = (key: keyof typeof c) => {
      const value = c[key]?.[i];
      return typeof value === 'number' ? value : null;
    };
    const ext: string[] = [];
    if (v('heartrate') !== null) ext.push(`<gpxtpx:hr>${v('heartrate')}</gpxtpx:hr>`);
    if (v('cadence') !== null) ext.push(`<gpxtpx:cad>${v('cadence')}</gpxtpx:cad>`);
    if (v('temp') !== null) ext.push(`<gpxtpx:atemp>${v('temp')}</gpxtpx:atemp>`);
    const power = v('watts') !== null ? `<power>${v('watts')}</power>` : '';
    const ele = v('altitude') !== null ? `<ele>${v('altitude')}</ele>` : '';
    return `<trkpt lat="${pos[0]}" lon="${pos[1]}">${ele}<time>${new Date(start + Number(t) * 1000).toISOString()}</time><extensions>${power}<gpxtpx:TrackPointExtension>${ext.join('')}</gpxtpx:TrackPointExtension></extensions></trkpt>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<metadata><time>${new Date(start).toISOString()}</time></metadata>
<trk><name>${name}</name><type>${type}</type><trkseg>
${points.join('\n')}
</trkseg></trk></gpx>
`;
}
