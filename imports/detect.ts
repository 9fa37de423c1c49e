import { promisify } from 'node:util';
import { constants, gunzip } from 'node:zlib';
import {
  type ActivityFileFormat,
  dropCorruptTimes,
  type ParsedActivityFile,
  streamDurationS,
} from '../activities/activity-file.ts';
import { AppError } from '../lib/errors.ts';
import { fitToLegs } from '../metrics/fit.ts';
import { ActivityFileError } from './errors.ts';
import { gpxToStreams } from './gpx.ts';
import { maxActivityFileBytes } from './limits.ts';
import { tcxToStreams } from './tcx.ts';

const gunzipAsync = promisify(gunzip);

/** Largest a gzipped file may inflate to: beyond this it is a zip bomb, not a workout. */
const maxInflatedBytes = 64 * 1024 * 1024;

/** Longest span a file's timestamps may cover (multi-day ultras fit; a broken clock does not). */
const maxWorkoutDays = 31;

const fileNamePattern = /\.(fit|tcx|gpx)(\.gz)?$/i;

function refuse(userMessage: string, message = userMessage): never {
  throw new AppError('bad_request', { message: `activity file refused: ${message}`, userMessage });
}

/** Whether a file name looks like an activity file; checked before anything is downloaded. */
export function isActivityFileName(name: string): boolean {
  return fileNamePattern.test(name);
}

/** What the bytes are, from magic bytes or the XML root element, never from the name. */
function sniffFormat(bytes: Uint8Array): ActivityFileFormat | 'gzip' | 'zip' | null {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return 'zip';
  }
  if (
    bytes.length >= 12 &&
    (bytes[0] === 12 || bytes[0] === 14) &&
    String.fromCharCode(bytes[8]!, bytes[9]!, bytes[10]!, bytes[11]!) === '.FIT'
  ) {
    return 'fit';
  }
  const root = xmlRootName(bytes);
  if (root === 'TrainingCenterDatabase') return 'tcx';
  if (root === 'gpx') return 'gpx';
  return null;
}

/** The local name of the first element of an XML document, looking only at its first 4 KB. */
function xmlRootName(bytes: Uint8Array): string | null {
  let head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  head = head.replace(/^\uFEFF/, '');
  // Skip the declaration, processing instructions and comments; a DOCTYPE is refused by the caller.
  const match =
    /^\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>\s*)*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/i.exec(
      head,
    );
  return match?.[2] ?? null;
}

/**
 * Checks an activity file's size, type and content, then reads it: FIT, TCX or GPX, each optionally
 * gzipped. Refusals (wrong type, too large, a bomb, nothing readable) are AppErrors whose userMessage
 * says why; a partly damaged file keeps what decoded, listed in `warnings`. A workout of one sport is one
 * leg; a multisport FIT file (several sessions) is one leg per session, in order (METRICS.md §1.5).
 */
export async function readActivityFileLegs(
  bytes: Uint8Array,
  fileName: string,
): Promise<ParsedActivityFile[]> {
  if (bytes.length === 0) refuse(`${fileName} is empty.`);
  if (bytes.length > maxActivityFileBytes) {
    refuse(`${fileName} is ${mb(bytes.length)}; the limit is ${mb(maxActivityFileBytes)} per file.`);
  }
  const named = fileNamePattern.exec(fileName);
  let content = bytes;
  let kind = sniffFormat(content);
  if (kind === 'zip') {
    refuse(
      `${fileName} is a ZIP archive. For a Strava bulk export use /import; otherwise send the FIT, TCX or GPX file itself.`,
    );
  }
  let inflateWarning: string | null = null;
  if (kind === 'gzip') {
    ({ content, warning: inflateWarning } = await inflate(bytes, fileName));
    kind = sniffFormat(content);
    if (kind === 'gzip' || kind === 'zip')
      refuse(`${fileName} is compressed twice; send it compressed once at most.`);
  }
  if (kind === null) {
    refuse(
      `${fileName} is not a FIT, TCX or GPX file (its first bytes match none of them).`,
      `unknown magic bytes ${Buffer.from(content.subarray(0, 8)).toString('hex')}`,
    );
  }
  if (named && named[1]!.toLowerCase() !== kind) {
    refuse(
      `${fileName} is named .${named[1]!.toLowerCase()} but holds a ${kind.toUpperCase()} file; rename it or send the right file.`,
    );
  }
  let legs: ParsedActivityFile[];
  try {
    legs = kind === 'fit' ? fitLegs(content) : [readXml(content, kind, fileName)];
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('bad_request', {
      message: `activity file unreadable: ${reason}`,
      userMessage: `${fileName} could not be read as ${kind.toUpperCase()}: ${reason}.`,
      cause: error,
    });
  }
  if (inflateWarning) for (const leg of legs) leg.warnings.unshift(inflateWarning);
  legs = legs.map(dropCorruptTimes);
  // A leg without timed samples (a transition the device barely recorded) is left out of a multisport
  // file with a word; a file none of whose legs has any is refused.
  const readable = legs.filter((leg) => leg.streams.time.length > 0 && leg.startTime);
  if (readable.length === 0) {
    const warnings = legs.flatMap((leg) => leg.warnings);
    const why = warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
    refuse(`Nothing in ${fileName} could be read as a workout: it has no timed samples${why}.`);
  }
  if (readable.length < legs.length) {
    const skipped = legs.length - readable.length;
    readable[0]!.warnings.push(
      `${skipped} of the file's ${legs.length} legs had no timed samples and ${skipped === 1 ? 'was' : 'were'} left out`,
    );
  }
  for (const leg of readable) {
    // Samples a day apart each could still add up to years: no workout is that long.
    const spanDays = streamDurationS(leg.streams) / 86_400;
    if (spanDays > maxWorkoutDays) {
      refuse(
        `${fileName} has timestamps ${Math.round(spanDays)} days apart; no workout is that long, so its clock is broken.`,
      );
    }
  }
  return readable;
}

/**
 * A file that must hold a single workout (one leg): its parsed content. A multisport file is refused
 * here; callers that store activities read the legs with `readActivityFileLegs`.
 */
export async function readActivityFile(bytes: Uint8Array, fileName: string): Promise<ParsedActivityFile> {
  const legs = await readActivityFileLegs(bytes, fileName);
  if (legs.length !== 1) {
    refuse(`${fileName} is a multisport file with ${legs.length} legs; it is read as one activity per leg.`);
  }
  return legs[0]!;
}

/**
 * The legs of a decoded FIT file, one per `session` message, each in the shape of a one-sport file
 * (streams rebased to the leg's first sample, its own sport and start; transitions have sport
 * `Transition`). The storage side takes whatever list this returns.
 *
 * Each leg carries the device timer (its pauses), pool lengths and the session totals in its streams.
 */
function fitLegs(content: Uint8Array): ParsedActivityFile[] {
  return fitToLegs(content).map((leg) => ({
    format: 'fit',
    streams: leg.streams,
    sport: leg.sport,
    startTime: leg.startTime,
    name: null,
    warnings: leg.warnings,
  }));
}

function readXml(content: Uint8Array, kind: 'tcx' | 'gpx', fileName: string): ParsedActivityFile {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(content).replace(/^\uFEFF/, '');
  // Workout files never need a DTD; one is how entity-expansion bombs get in.
  if (/<!DOCTYPE|<!ENTITY/i.test(text.slice(0, 65_536))) {
    refuse(`${fileName} declares a DTD or entities, which workout files never do; refused for safety.`);
  }
  try {
    return kind === 'tcx' ? tcxToStreams(text) : gpxToStreams(text);
  } catch (error) {
    if (error instanceof ActivityFileError) refuse(`${fileName}: ${error.message}.`);
    throw error;
  }
}

async function inflate(
  bytes: Uint8Array,
  fileName: string,
): Promise<{ content: Uint8Array; warning: string | null }> {
  try {
    return { content: await gunzipAsync(bytes, { maxOutputLength: maxInflatedBytes }), warning: null };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      refuse(
        `${fileName} inflates to more than ${mb(maxInflatedBytes)}; no workout is that large, so it was refused.`,
        'gzip bomb',
      );
    }
    // A cut-short gzip still holds everything before the cut: inflate what is there.
    const partial = await gunzipAsync(bytes, {
      maxOutputLength: maxInflatedBytes,
      finishFlush: constants.Z_SYNC_FLUSH,
    }).catch(() => null);
    if (partial && partial.length > 0) {
      return { content: partial, warning: 'the compressed file ends early; read what it holds' };
    }
    refuse(`${fileName} is a damaged gzip file (${(error as Error).message}).`);
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
