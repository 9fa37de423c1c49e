import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { streamDurationS } from '../activities/activity-file.ts';
import { parseActivitiesCsv, parseExportDate } from './activities-csv.ts';
import { readActivityFile } from './detect.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('activities.csv as Strava writes it', () => {
  it('reads the real header (repeated columns, BOM, CRLF, quoted commas and newlines, no file)', () => {
    const csv =
      '\uFEFFActivity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed\r\n' +
      '12345,"Mar 3, 2024, 6:12:34 PM","Ride, with ""friends""\nafter work",Virtual Ride,,3600,"20.50",170,50,false,,,activities/12345.fit.gz,70,,3600.0,3500.0,20500.0,12.3\r\n' +
      '12346,"Mar 4, 2024, 6:12:34 PM",Gym\u0000,Weight Training,,1800,0,,,false,,,,70,,1800.0,1800.0,0.0,\r\n' +
      '99999999999999999999,"Mar 5, 2024, 6:12:34 PM",Odd id,Run,,1800,5,,,false,,,activities/x.gpx,70,,1800.0,1800.0,5000.0,\r\n';
    expect(parseActivitiesCsv(csv)).toEqual([
      {
        id: '12345',
        name: 'Ride, with "friends"\nafter work',
        sport: 'VirtualRide',
        fileName: 'activities/12345.fit.gz',
        startTime: new Date('2024-03-03T18:12:34Z'),
        elapsedS: 3600,
        movingS: 3500,
        distanceM: 20_500,
      },
      // NUL cannot be stored in Postgres text: dropped.
      {
        id: '12346',
        name: 'Gym',
        sport: 'WeightTraining',
        fileName: null,
        startTime: new Date('2024-03-04T18:12:34Z'),
        elapsedS: 1800,
        movingS: 1800,
        distanceM: 0,
      },
      // Not a bigint: no Strava id rather than a failed insert.
      {
        id: null,
        name: 'Odd id',
        sport: 'Run',
        fileName: 'activities/x.gpx',
        startTime: new Date('2024-03-05T18:12:34Z'),
        elapsedS: 1800,
        movingS: 1800,
        distanceM: 5000,
      },
    ]);
  });
});

describe('Activity Date', () => {
  it('reads Strava’s formats as UTC and refuses what is not a date', () => {
    expect(parseExportDate('Mar 3, 2024, 6:12:34 PM')).toEqual(new Date('2024-03-03T18:12:34Z'));
    expect(parseExportDate('Dec 31, 2023, 12:05:00 AM')).toEqual(new Date('2023-12-31T00:05:00Z'));
    expect(parseExportDate('Dec 31, 2023, 12:05:00 PM')).toEqual(new Date('2023-12-31T12:05:00Z'));
    expect(parseExportDate('2024-03-03 18:12:34')).toEqual(new Date('2024-03-03T18:12:34Z'));
    expect(parseExportDate('Feb 30, 2024, 6:12:34 PM')).toBeNull();
    expect(parseExportDate('3 mars 2024, 18:12:34')).toBeNull();
    expect(parseExportDate(null)).toBeNull();
  });
});

describe('TCX and GPX details real files have', () => {
  it('TCX with spaces before <?xml (Strava’s export), ns3:Watts and several laps', async () => {
    const tcx = `          <?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities><Activity Sport="Biking"><Id>2024-03-03T18:12:34Z</Id>
  <Lap StartTime="2024-03-03T18:12:34Z"><Track>
   <Trackpoint><Time>2024-03-03T18:12:34Z</Time><HeartRateBpm><Value>120</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Watts>200</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
   <Trackpoint><Time>2024-03-03T18:12:35Z</Time><HeartRateBpm><Value>121</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Watts>210</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
  </Track></Lap>
  <Lap StartTime="2024-03-03T18:12:36Z"><Track>
   <Trackpoint><Time>2024-03-03T18:12:36Z</Time><HeartRateBpm><Value>125</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Watts>300</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
  </Track></Lap>
 </Activity></Activities></TrainingCenterDatabase>`;
    const parsed = await readActivityFile(bytes(tcx), '12345.tcx');
    expect(parsed.format).toBe('tcx');
    expect(parsed.sport).toBe('Ride');
    expect(parsed.startTime).toEqual(new Date('2024-03-03T18:12:34Z'));
    expect(parsed.streams.time).toEqual([0, 1, 2]);
    expect(parsed.streams.channels.watts).toEqual([200, 210, 300]);
    expect(parsed.streams.channels.heartrate).toEqual([120, 121, 125]);
  });

  it('GPX times without a zone are UTC whatever the server’s zone; Garmin PowerExtension watts are read', async () => {
    const gpx = `<?xml version="1.0"?>
<gpx version="1.1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:gpxpx="http://www.garmin.com/xmlschemas/PowerExtension/v1"><trk><name>Lunch ride</name><type>cycling</type><trkseg>
<trkpt lat="47.1" lon="8.5"><time>2024-03-03T18:12:34</time><extensions><gpxpx:PowerExtension><gpxpx:PowerInWatts>200</gpxpx:PowerInWatts></gpxpx:PowerExtension><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="47.1001" lon="8.5"><time>2024-03-03T18:12:35</time><extensions><power>210</power></extensions></trkpt>
<trkpt lat="47.1002" lon="8.5"><time>2024-03-03T20:12:36+02:00</time><extensions><power>220</power></extensions></trkpt>
</trkseg></trk></gpx>`;
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const parsed = await readActivityFile(bytes(gpx), 'ride.gpx');
      expect(parsed.startTime).toEqual(new Date('2024-03-03T18:12:34Z'));
      expect(parsed.streams.time).toEqual([0, 1, 2]);
      expect(parsed.streams.channels.watts).toEqual([200, 210, 220]);
      expect(parsed.streams.channels.heartrate).toEqual([120, null, null]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('a sample stamped decades off is dropped with a warning; the workout starts when it did', async () => {
    const gpx = `<gpx version="1.1"><trk><trkseg>
<trkpt lat="47.1" lon="8.5"><time>1954-03-03T18:12:34Z</time></trkpt>
<trkpt lat="47.1001" lon="8.5"><time>2024-03-03T18:12:35Z</time></trkpt>
<trkpt lat="47.1002" lon="8.5"><time>2024-03-03T18:12:36Z</time></trkpt>
<trkpt lat="47.1003" lon="8.5"><time>2024-03-03T18:12:38Z</time></trkpt>
</trkseg></trk></gpx>`;
    const parsed = await readActivityFile(bytes(gpx), 'clock.gpx');
    expect(parsed.startTime).toEqual(new Date('2024-03-03T18:12:35Z'));
    expect(parsed.streams.time).toEqual([0, 1, 3]);
    expect(parsed.streams.latlng).toHaveLength(3);
    expect(parsed.streams.channels.distance).toHaveLength(3);
    expect(parsed.warnings).toEqual([
      '1 sample with an impossible timestamp (more than a day from the rest) dropped',
    ]);
  });

  it('the Strava app FIT whose last record is 64 years late lasts minutes, not decades', async () => {
    const fit = readFileSync(
      fileURLToPath(
        new URL('../test/fixtures/fit/fitparse-strava-android-app-201.10-b1218918.fit', import.meta.url),
      ),
    );
    const parsed = await readActivityFile(fit, 'strava.fit');
    expect(streamDurationS(parsed.streams)).toBeLessThan(3600);
    expect(parsed.warnings.at(-1)).toMatch(/1 sample with an impossible timestamp/);
  });

  it('timestamps a day apart each adding up to more than a month are refused', async () => {
    const points = Array.from(
      { length: 40 },
      (_, d) =>
        `<trkpt lat="47.1" lon="8.5"><time>${new Date(Date.UTC(2024, 0, 1) + d * 86_000_000).toISOString()}</time></trkpt>`,
    ).join('');
    const gpx = `<gpx version="1.1"><trk><trkseg>${points}</trkseg></trk></gpx>`;
    await expect(readActivityFile(bytes(gpx), 'long.gpx')).rejects.toMatchObject({
      code: 'bad_request',
      userMessage: expect.stringMatching(/days apart; no workout is that long/),
    });
  });
});
