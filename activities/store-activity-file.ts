import type { Db } from '../db/connect.ts';
import {
  deleteActivity,
  findActivityByStravaId,
  insertActivity,
  updateActivity,
} from '../db/queries/activities.ts';
import { activityOfSource } from '../db/queries/activity-sources.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { toJson } from '../db/tables/json.ts';
import { wallClock } from '../lib/local-time.ts';
import {
  deviceStreamKeys,
  type ParsedActivityFile,
  streamDistanceM,
  streamDurationS,
  streamElevationGainM,
  toKeyByType,
} from './activity-file.ts';
import { analyzeStoredActivity, refuseImplausibleStart, storeStreams } from './activity-store.ts';
import {
  compareDeliveries,
  type DuplicateCandidate,
  ensureSourceRecorded,
  findDuplicate,
  findDuplicateById,
  recordKeptSource,
  recordSource,
  richnessOf,
} from './dedup.ts';

export interface IncomingFile {
  source: 'file_upload' | 'strava_export';
  /** Unique per athlete and source: the file's sha256 (uploads) or the export's activity id. */
  sourceRef: string;
  fileName: string;
  parsed: ParsedActivityFile;
  /** Name and sport from the export's activities.csv, overriding what the file says. */
  name?: string | null;
  sport?: string | null;
  /** The Strava activity id the export lists, when any: the surest duplicate key there is. */
  stravaId?: string | null;
  /** Set when this workout is one leg of a multisport file. */
  leg?: { group: string; index: number; count: number };
}

/** A delivery as read from its file: one leg per sport (a multisport file has several). */
export type IncomingLegs = Omit<IncomingFile, 'parsed' | 'leg'> & { legs: ParsedActivityFile[] };

type StoreStatus = 'created' | 'replaced_streams' | 'duplicate' | 'already_imported';

export interface StoredFileActivity {
  activityId: string;
  status: StoreStatus;
  /** In words: what happened and why (which streams were kept). */
  reason: string;
  /** Earliest local day whose PMC changed; null when nothing changed. */
  changedFrom: string | null;
}

/**
 * Stores a workout read from a file, deduplicated against everything the athlete already has (any
 * source): a new activity, richer streams for an existing one, or a recorded duplicate. Metrics are
 * computed by the same analyzer as Strava activities; the caller recomputes the PMC from `changedFrom`.
 * Call inside a transaction that holds the athlete's row lock (one writer per athlete).
 */
export async function storeActivityFile(
  db: Db,
  athlete: AthleteRow,
  incoming: IncomingFile,
): Promise<StoredFileActivity> {
  const { parsed } = incoming;
  const already = await alreadyImported(db, athlete.id, incoming.source, incoming.sourceRef);
  if (already) return { ...already, reason: 'this exact file was imported before' };
  const start = parsed.startTime!;
  refuseImplausibleStart(start);
  const durationS = Math.round(streamDurationS(parsed.streams));
  const streams = toKeyByType(parsed.streams);
  const channels = Object.keys(streams)
    .filter((key) => !deviceStreamKeys.includes(key))
    .sort();
  const richness = richnessOf(channels, parsed.streams.time.length);
  const base = {
    athleteId: athlete.id,
    source: incoming.source,
    sourceRef: incoming.sourceRef,
    fileName: incoming.fileName,
    format: parsed.format,
    channels,
    samples: parsed.streams.time.length,
    warnings: parsed.warnings,
  };

  const { duplicate, stravaId } = await matchExisting(
    db,
    athlete.id,
    incoming.stravaId ?? null,
    start,
    durationS,
  );

  if (duplicate) {
    const { richer, comparison } = compareDeliveries({ source: incoming.source, richness }, duplicate);
    if (!richer) {
      const reason = `same workout as activity ${duplicate.id}; kept its ${duplicate.source} streams, which are as rich or richer: ${comparison}`;
      await recordSource(db, { ...base, activityId: duplicate.id, kept: false, reason });
      return { activityId: duplicate.id, status: 'duplicate', reason, changedFrom: null };
    }
    const reason = `same workout as activity ${duplicate.id}; kept the ${incoming.source} streams, which are richer: ${comparison}`;
    // The row now rests on the file: nothing from the replaced source stays in it (the coach's Strava
    // firewall reads `source` as where every value came from).
    const sport = incoming.sport ?? parsed.sport ?? duplicate.sport;
    const fromApi = duplicate.source === 'strava_api';
    await updateActivity(db, duplicate.id, {
      source: incoming.source,
      name: (incoming.name ?? parsed.name ?? (fromApi ? defaultName(sport, parsed) : duplicate.name)).slice(
        0,
        200,
      ),
      sport_type: sport,
      elapsed_time_s: durationS,
      moving_time_s: null,
      // A recorded file replaces what may have been a manual entry.
      manual: false,
      multisport_group: incoming.leg?.group ?? null,
      leg_index: incoming.leg?.index ?? null,
      distance_m: streamDistanceM(parsed.streams),
      elevation_gain_m: streamElevationGainM(parsed.streams),
      summary: fileSummary(incoming),
      updated_at: new Date(),
    });
    await storeStreams(db, duplicate.id, streams);
    await recordKeptSource(db, { ...base, activityId: duplicate.id, reason });
    const localDate = await analyzeStoredActivity(db, duplicate.id);
    return { activityId: duplicate.id, status: 'replaced_streams', reason, changedFrom: localDate };
  }

  const sport = incoming.sport ?? parsed.sport ?? 'Workout';
  const local = wallClock(start, athlete.timezone);
  const activityId = await insertActivity(db, {
    athlete_id: athlete.id,
    source: incoming.source,
    strava_id: stravaId,
    name: (incoming.name ?? parsed.name ?? defaultName(sport, parsed)).slice(0, 200),
    sport_type: sport,
    start_date: start,
    start_date_local: local.dateTime,
    local_date: local.date,
    timezone: athlete.timezone,
    distance_m: streamDistanceM(parsed.streams),
    moving_time_s: null,
    elapsed_time_s: durationS,
    elevation_gain_m: streamElevationGainM(parsed.streams),
    multisport_group: incoming.leg?.group ?? null,
    leg_index: incoming.leg?.index ?? null,
    summary: fileSummary(incoming),
  });
  await storeStreams(db, activityId, streams);
  const reason = 'first delivery of this workout';
  await recordSource(db, { ...base, activityId, kept: true, reason });
  const localDate = await analyzeStoredActivity(db, activityId);
  return { activityId, status: 'created', reason, changedFrom: localDate };
}

function defaultName(sport: string, parsed: ParsedActivityFile): string {
  return `${sport} (${parsed.format.toUpperCase()} file)`;
}

function fileSummary(incoming: IncomingFile): string {
  const { parsed, leg } = incoming;
  return toJson({
    file: {
      name: incoming.fileName,
      format: parsed.format,
      warnings: parsed.warnings,
      ...(leg ? { leg: leg.index + 1, legs: leg.count } : {}),
    },
  });
}

/**
 * Stores every leg of a delivery. One leg is `storeActivityFile`. Several (a multisport file) become one
 * activity each, with its own sport and stress (METRICS.md §1.5), in one group: an activity the athlete
 * already has for the whole span (Strava makes one activity of a triathlon) gives way to the legs, its
 * Strava id moving to the first leg so that its later deliveries join the legs instead of coming back;
 * each leg is then deduplicated on its own like any file. The first result's `changedFrom` covers the
 * replaced activity's day. Call inside a transaction that holds the athlete's row lock.
 */
export async function storeActivityFileLegs(
  db: Db,
  athlete: AthleteRow,
  incoming: IncomingLegs,
): Promise<StoredFileActivity[]> {
  const { legs, ...delivery } = incoming;
  if (legs.length === 1) return [await storeActivityFile(db, athlete, { ...delivery, parsed: legs[0]! })];
  const group = `${delivery.source}:${delivery.sourceRef}`;
  const legRef = (index: number) => `${delivery.sourceRef}#leg${index + 1}`;
  const whole = await replaceWholeSpan(db, athlete.id, delivery, legs);
  const results: StoredFileActivity[] = [];
  for (const [index, parsed] of legs.entries()) {
    const sport = parsed.sport ?? 'Workout';
    const stored = await storeActivityFile(db, athlete, {
      ...delivery,
      parsed,
      sourceRef: legRef(index),
      // The export's name and sport are the whole workout's: each leg keeps its own sport.
      name: `${delivery.name ?? parsed.name ?? 'Multisport'} · leg ${index + 1}/${legs.length} (${sport})`,
      sport: null,
      stravaId: index === 0 ? (whole?.stravaId ?? delivery.stravaId ?? null) : null,
      leg: { group, index, count: legs.length },
    });
    results.push(stored);
  }
  if (whole) {
    const first = results[0]!;
    await recordSource(db, {
      activityId: first.activityId,
      athleteId: athlete.id,
      source: whole.source,
      sourceRef: whole.sourceRef,
      channels: whole.channels,
      samples: whole.samples,
      kept: false,
      reason: `one activity for the whole multisport workout; replaced by the file's ${legs.length} legs, each its own activity`,
    });
    if (first.changedFrom === null || whole.localDate < first.changedFrom)
      first.changedFrom = whole.localDate;
  }
  return results;
}

/**
 * The athlete's activity covering the whole multisport workout (by the Strava id the export names, else
 * by start and total span), which is not itself a leg: deleted, returning what the legs must take over.
 */
async function replaceWholeSpan(
  db: Db,
  athleteId: string,
  delivery: Omit<IncomingFile, 'parsed' | 'leg'>,
  legs: ParsedActivityFile[],
) {
  const start = legs[0]!.startTime!;
  let end = start.getTime();
  for (const leg of legs) {
    end = Math.max(end, leg.startTime!.getTime() + streamDurationS(leg.streams) * 1000);
  }
  const spanS = Math.round((end - start.getTime()) / 1000);
  const byStravaId = delivery.stravaId ? await findActivityByStravaId(db, delivery.stravaId) : undefined;
  const candidate = await duplicateOf(db, athleteId, byStravaId, start, spanS);
  if (!candidate) return null;
  // A leg of this or another file is not the whole span; it is matched leg by leg.
  if (candidate.multisportGroup !== null) return null;
  await deleteActivity(db, candidate.id);
  return {
    stravaId: candidate.stravaId,
    localDate: candidate.localDate,
    source: candidate.source,
    sourceRef: candidate.stravaId ?? `activity:${candidate.id}`,
    channels: candidate.channels,
    samples: candidate.richness.samples,
  };
}

/**
 * The athlete's activity a delivery duplicates: the one holding the delivery's Strava id when it is the
 * athlete's own, else one that started at the same time and lasted as long.
 */
function duplicateOf(
  db: Db,
  athleteId: string,
  byStravaId: { id: string; athlete_id: string } | undefined,
  start: Date,
  durationS: number,
): Promise<DuplicateCandidate | null> {
  return byStravaId?.athlete_id === athleteId
    ? findDuplicateById(db, byStravaId.id)
    : findDuplicate(db, athleteId, start, durationS);
}

/** The activity a delivery with this source and reference already went into, if it was imported before. */
export async function alreadyImported(
  db: Db,
  athleteId: string,
  source: IncomingFile['source'],
  sourceRef: string,
): Promise<Omit<StoredFileActivity, 'reason'> | null> {
  const activityId = await activityOfSource(db, athleteId, source, sourceRef);
  return activityId ? { activityId, status: 'already_imported', changedFrom: null } : null;
}

/**
 * The athlete's activity this workout duplicates — by the Strava id the export names, else by start time
 * and duration — with its provenance recorded, and the Strava id the new delivery may carry (none when
 * someone else's activity already holds it). A duplicate without a Strava id gets this one.
 */
export async function matchExisting(
  db: Db,
  athleteId: string,
  incomingStravaId: string | null,
  start: Date,
  durationS: number,
) {
  const byStravaId = incomingStravaId ? await findActivityByStravaId(db, incomingStravaId) : undefined;
  const stravaId = byStravaId
    ? byStravaId.athlete_id === athleteId
      ? incomingStravaId
      : null
    : incomingStravaId;
  const duplicate = await duplicateOf(db, athleteId, byStravaId, start, durationS);
  if (duplicate) {
    await ensureSourceRecorded(db, duplicate.id);
    if (stravaId && !duplicate.stravaId) await updateActivity(db, duplicate.id, { strava_id: stravaId });
  }
  return { duplicate, stravaId };
}
