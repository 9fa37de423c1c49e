import type { Db } from '../db/connect.ts';
import {
  type DuplicateCandidateRow,
  duplicateCandidate,
  duplicateCandidatesStarting,
} from '../db/queries/activities.ts';
import {
  hasActivitySource,
  markOtherSourcesReplaced,
  saveActivitySource,
} from '../db/queries/activity-sources.ts';
import type { ActivitySource } from '../db/tables/activities.ts';
import { toJson } from '../db/tables/json.ts';

/** Two deliveries are one workout when they start within this of each other… */
export const sameStartWithinMs = 2 * 60_000;
/** …and their durations differ by at most this fraction. */
const sameDurationWithin = 0.05;

/** The measured quantities a stream set can carry; speed and distance count once, derived channels not at all. */
const measured: Record<string, string> = {
  watts: 'power',
  heartrate: 'heart rate',
  cadence: 'cadence',
  velocity_smooth: 'speed',
  distance: 'speed',
  altitude: 'altitude',
  temp: 'temperature',
  latlng: 'position',
};

export interface Richness {
  quantities: string[];
  samples: number;
}

/** How much a stream set holds: which quantities, how many samples. */
export function richnessOf(channels: string[], samples: number): Richness {
  const quantities = [
    ...new Set(channels.map((c) => measured[c]).filter((q): q is string => q !== undefined)),
  ];
  return { quantities: quantities.sort(), samples };
}

/** Positive when `a` is richer: more quantities first, then more samples. */
export function compareRichness(a: Richness, b: Richness): number {
  if (a.quantities.length !== b.quantities.length) return a.quantities.length - b.quantities.length;
  return a.samples - b.samples;
}

export function describeRichness(r: Richness): string {
  const what = r.quantities.length > 0 ? r.quantities.join(', ') : 'no recorded channels';
  return `${what}; ${r.samples} samples`;
}

export function sameDuration(a: number, b: number): boolean {
  if (a <= 0 || b <= 0) return false;
  return Math.abs(a - b) <= sameDurationWithin * Math.max(a, b);
}

export interface DuplicateCandidate {
  id: string;
  athleteId: string;
  source: ActivitySource;
  stravaId: string | null;
  localDate: string;
  name: string;
  sport: string;
  startDate: Date;
  /** The multisport group the activity is a leg of; null when it is not a leg. */
  multisportGroup: string | null;
  /** Its stored stream channels (none without streams) and how rich they are. */
  channels: string[];
  richness: Richness;
}

function toCandidate(row: DuplicateCandidateRow): DuplicateCandidate {
  return {
    id: row.id,
    athleteId: row.athlete_id,
    source: row.source,
    stravaId: row.strava_id,
    localDate: row.local_date,
    name: row.name,
    sport: row.sport_type,
    startDate: row.start_date,
    multisportGroup: row.multisport_group,
    channels: row.channels ?? [],
    richness: richnessOf(row.channels ?? [], row.sample_count ?? 0),
  };
}

/** An activity as duplicate detection sees it (it must exist). */
export async function findDuplicateById(db: Db, activityId: string): Promise<DuplicateCandidate> {
  return toCandidate(await duplicateCandidate(db, activityId));
}

/**
 * The athlete's activity that is the same workout: start within ±2 min and duration within ±5 %
 * (elapsed time, or moving time when elapsed is unknown). The closest start wins.
 */
export async function findDuplicate(
  db: Db,
  athleteId: string,
  start: Date,
  durationS: number,
  options: { excludeSource?: ActivitySource } = {},
): Promise<DuplicateCandidate | null> {
  const rows = await duplicateCandidatesStarting(
    db,
    athleteId,
    new Date(start.getTime() - sameStartWithinMs),
    new Date(start.getTime() + sameStartWithinMs),
    options.excludeSource,
  );
  const matches = rows
    .filter((row) => {
      const durations = [row.elapsed_time_s, row.moving_time_s, row.duration_s].filter(
        (d): d is number => typeof d === 'number' && d > 0,
      );
      return durations.some((d) => sameDuration(d, durationS));
    })
    .sort(
      (a, b) =>
        Math.abs(a.start_date.getTime() - start.getTime()) -
        Math.abs(b.start_date.getTime() - start.getTime()),
    );
  const best = matches[0];
  return best ? toCandidate(best) : null;
}

/** An incoming delivery's streams against those the activity keeps: whether they are richer, in words. */
export function compareDeliveries(
  incoming: { source: ActivitySource; richness: Richness },
  kept: { source: ActivitySource; richness: Richness },
): { richer: boolean; comparison: string } {
  return {
    richer: compareRichness(incoming.richness, kept.richness) > 0,
    comparison: `${incoming.source} (${describeRichness(incoming.richness)}) vs ${kept.source} (${describeRichness(kept.richness)})`,
  };
}

export interface SourceRecord {
  activityId: string;
  athleteId: string;
  source: ActivitySource;
  sourceRef: string;
  fileName?: string | null;
  format?: 'fit' | 'tcx' | 'gpx' | null;
  channels: string[];
  samples: number;
  kept: boolean;
  reason: string;
  warnings?: string[];
}

/** Records one delivery of a workout (idempotent per athlete, source and reference). */
export async function recordSource(db: Db, record: SourceRecord): Promise<void> {
  await saveActivitySource(db, {
    activity_id: record.activityId,
    athlete_id: record.athleteId,
    source: record.source,
    source_ref: record.sourceRef,
    file_name: record.fileName ?? null,
    format: record.format ?? null,
    channels: record.channels,
    sample_count: record.samples,
    kept: record.kept,
    reason: record.reason,
    warnings: toJson(record.warnings ?? []),
  });
}

/**
 * The activity now rests on this delivery's streams: every other delivery it kept is marked as replaced,
 * and this one is recorded as the kept one.
 */
export async function recordKeptSource(db: Db, record: Omit<SourceRecord, 'kept'>): Promise<void> {
  await markOtherSourcesReplaced(
    db,
    record.activityId,
    record.source,
    record.sourceRef,
    `replaced: ${record.reason}`,
  );
  await recordSource(db, { ...record, kept: true });
}

/**
 * Activities stored before provenance was tracked (or by the plain Strava path) have no source row: write
 * one for what they are, so a merge can mark it as replaced.
 */
export async function ensureSourceRecorded(db: Db, activityId: string): Promise<void> {
  if (await hasActivitySource(db, activityId)) return;
  const activity = await findDuplicateById(db, activityId);
  await recordSource(db, {
    activityId,
    athleteId: activity.athleteId,
    source: activity.source,
    sourceRef: activity.stravaId ?? `activity:${activityId}`,
    channels: activity.channels,
    samples: activity.richness.samples,
    kept: true,
    reason: 'first delivery of this workout',
  });
}
