import { readFile } from 'node:fs/promises';
import { parseMinSec } from '../../lib/pace.ts';
// The engine's own modules, not metrics/index.ts: a FIT file needs neither zod (the Strava stream schema,
// and the options: each loaded when used) nor the rest of the engine (issue 16: a fast `cli analyze`).
import { analyze } from '../../metrics/analyze.ts';
import { toCliJson } from '../../metrics/cli-json.ts';
import { FitError, FitNotActivityError, fitToLegs } from '../../metrics/fit.ts';
import { type RawStreams, StreamError } from '../../metrics/streams.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import type { Options } from './analyze-options.ts';

export default {
  name: 'analyze',
  summary: 'Analyse an activity file (Strava streams JSON or FIT) and print its metrics as JSON',
  usage: `Usage: npm run --silent cli -- analyze <file.json|file.fit> [options]

  --sport Ride|Run|Swim|...    sport type (default: the FIT session's, or Ride with power, Run with speed)
  --ftp W                      functional threshold power (rides and other non-foot sports)
  --run-ftp W                  run FTP: runs with a power meter are scored against it, never --ftp
  --lthr BPM                   lactate threshold heart rate
  --max-hr BPM                 maximum heart rate (default: the activity's highest)
  --rest-hr BPM                resting heart rate (default 60)
  --sex male|female            TRIMP weighting (default male)
  --threshold-pace M:SS        threshold run pace per km
  --swim-threshold-pace M:SS   threshold swim pace per 100 m

The JSON file is a Strava stream set (key_by_type=true, or the array form). Prints one JSON object; a
FIT file with several sessions (triathlon, brick) prints { "legs": [ one object per session ] }. A FIT
file that holds no activity (settings, workout, monitoring) is refused with exit status 2.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, {
      sport: { type: 'string' },
      ftp: { type: 'string' },
      'run-ftp': { type: 'string' },
      lthr: { type: 'string' },
      'max-hr': { type: 'string' },
      'rest-hr': { type: 'string' },
      sex: { type: 'string' },
      'threshold-pace': { type: 'string' },
      'swim-threshold-pace': { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one file');
    let o: Options = {};
    // No option given: nothing to check (all are optional), so zod need not load.
    if (Object.keys(values).length > 0) {
      const parsed = (await import('./analyze-options.ts')).Options.safeParse(values);
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
      o = parsed.data;
    }
    const pace = (name: string, text: string | undefined) => {
      if (text === undefined) return null;
      const seconds = parseMinSec(text);
      if (seconds === null || seconds === 0) throw new UsageError(`--${name} must be M:SS, e.g. 4:30`);
      return seconds;
    };
    const thresholdPace = pace('threshold-pace', o['threshold-pace']);
    const swimPace = pace('swim-threshold-pace', o['swim-threshold-pace']);
    const file = positionals[0]!;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    let inputs: { raw: RawStreams; sport: string | null; warnings: string[] }[];
    try {
      // By content as well as by name: a FIT file carries ".FIT" at bytes 8–11 of its header.
      if (file.toLowerCase().endsWith('.fit') || bytes.subarray(8, 12).toString('latin1') === '.FIT') {
        // No positions: the analysis does not read them.
        inputs = fitToLegs(bytes, { positions: false }).map((leg) => ({
          raw: leg.streams,
          sport: leg.sport,
          warnings: leg.warnings,
        }));
      } else {
        let json: unknown;
        try {
          json = JSON.parse(bytes.toString('utf8'));
        } catch {
          throw new CliError(`${file} is not valid JSON`);
        }
        const { parseStravaStreams } = await import('../../metrics/strava-streams.ts');
        inputs = [{ raw: parseStravaStreams(json), sport: null, warnings: [] }];
      }
    } catch (error) {
      if (error instanceof FitNotActivityError) {
        io.err(`analyze: ${file}: ${error.message}`);
        return 2;
      }
      if (error instanceof StreamError || error instanceof FitError)
        throw new CliError(`${file}: ${error.message}`);
      throw error;
    }
    const results = [];
    for (const [index, { raw, sport: fileSport, warnings }] of inputs.entries()) {
      const sport =
        o.sport ??
        fileSport ??
        (raw.channels.watts
          ? 'Ride'
          : raw.channels.velocity_smooth || raw.channels.distance
            ? 'Run'
            : 'Workout');
      let metrics: ReturnType<typeof analyze>;
      try {
        metrics = analyze(raw, {
          sport,
          thresholds: {
            ftp: o.ftp ?? null,
            runFtp: o['run-ftp'] ?? null,
            lthr: o.lthr ?? null,
            maxHr: o['max-hr'] ?? null,
            restHr: o['rest-hr'] ?? null,
            sex: o.sex ?? null,
            thresholdPaceSPerKm: thresholdPace,
            swimThresholdPaceSPer100m: swimPace,
          },
        });
      } catch (error) {
        if (error instanceof StreamError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
      const prefix = inputs.length > 1 ? `leg ${index + 1} (${sport}): ` : '';
      for (const warning of [...warnings, ...metrics.warnings])
        io.err(`analyze: warning: ${prefix}${warning}`);
      results.push(toCliJson(metrics));
    }
    io.out(JSON.stringify(results.length === 1 ? results[0] : { legs: results }));
    return 0;
  },
} satisfies CliCommand;
