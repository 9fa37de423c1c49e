import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import type { ParsedActivityFile } from '../../activities/activity-file.ts';
import { toGpx, toTcx } from './write-xml.ts';

export interface ExportEntrySpec {
  /** Activity ID column (the Strava activity id). */
  id: string;
  name: string;
  /** Activity Type column as Strava writes it ("Ride", "Virtual Ride", "Run"). */
  type: string;
  /** The file under activities/, or null for a manual entry without a file. */
  file:
    | { kind: 'gpx' | 'tcx'; activity: ParsedActivityFile }
    | { kind: 'fit'; bytes: Buffer }
    | { kind: 'raw'; name: string; bytes: Buffer }
    | null;
  /** Activity Date column (default "Mar 3, 2024, 6:12:34 PM") and Elapsed Time in seconds (default 3600). */
  date?: string;
  elapsedS?: number;
}

/** Writes a ZIP shaped like Strava's bulk export: activities.csv plus activities/<id>.<fmt>.gz. */
export async function writeSyntheticExport(path: string, entries: ExportEntrySpec[]): Promise<void> {
  const zip = new yazl.ZipFile();
  const header =
    'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename,Elapsed Time,Distance';
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [header];
  for (const entry of entries) {
    let fileName = '';
    if (entry.file) {
      let data: Buffer;
      if (entry.file.kind === 'raw') {
        fileName = `activities/${entry.file.name}`;
        data = entry.file.bytes;
      } else if (entry.file.kind === 'fit') {
        fileName = `activities/${entry.id}.fit.gz`;
        data = gzipSync(entry.file.bytes);
      } else {
        fileName = `activities/${entry.id}.${entry.file.kind}.gz`;
        const text =
          entry.file.kind === 'gpx'
            ? toGpx(entry.file.activity, entry.name, 'cycling')
            : toTcx(entry.file.activity, 'Biking');
        data = gzipSync(text, { level: 1 });
      }
      // Already compressed: stored, as Strava does.
      zip.addBuffer(data, fileName, { compress: false });
    }
    lines.push(
      [
        entry.id,
        entry.date ?? 'Mar 3, 2024, 6:12:34 PM',
        entry.name,
        entry.type,
        'a, "quoted"\ndescription',
        String(entry.elapsedS ?? 3600),
        '20.5',
        fileName,
        `${entry.elapsedS ?? 3600}.0`,
        '20500.0',
      ]
        .map(quote)
        .join(','),
    );
  }
  zip.addBuffer(Buffer.from(`${lines.join('\n')}\n`), 'activities.csv');
  zip.addBuffer(Buffer.from('{}'), 'profile.json');
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  zip.end();
  await once(out, 'finish');
}

/** A copy of a workout shifted to start at `start`, keeping every `step`-th sample (smaller files). */
export function reshape(source: ParsedActivityFile, start: Date, step = 1, stretch = 1): ParsedActivityFile {
  const keep = (_: unknown, i: number) => i % step === 0;
  const channels: ParsedActivityFile['streams']['channels'] = {};
  for (const [name, data] of Object.entries(source.streams.channels)) {
    if (data) channels[name as keyof typeof channels] = data.filter(keep);
  }
  return {
    ...source,
    startTime: start,
    streams: {
      time: source.streams.time.filter(keep).map((t) => Number(t) * stretch),
      channels,
      ...(source.streams.latlng ? { latlng: source.streams.latlng.filter(keep) } : {}),
    },
    warnings: [],
  };
}
