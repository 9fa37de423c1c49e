import type { Db } from '../db/connect.ts';
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
  source: ActivitySource;
  stravaId: string | null;
  localDate: string;
  name: string;
  sport: string;
  richness: Richness;
  startDate: Date;
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
  let query = db
    .selectFrom('activities')
    .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
    .leftJoin('activity_metrics', 'activity_metrics.activity_id', 'activities.id')
    .select([
      'activities.id',
      'activities.source',
      'activities.strava_id',
      'activities.local_date',
      'activities.name',
      'activities.sport_type',
      'activities.start_date',
      'activities.elapsed_time_s',
      'activities.moving_time_s',
      'activity_metrics.duration_s',
      'activity_streams.channels',
      'activity_streams.sample_count',
    ])
    .where('activities.athlete_id', '=', athleteId)
    .where('activities.start_date', '>=', new Date(start.getTime() - sameStartWithinMs))
    .where('activities.start_date', '<=', new Date(start.getTime() + sameStartWithinMs));
  if (options.excludeSource) query = query.where('activities.source', '!=', options.excludeSource);
  const rows = await query.execute();
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
  if (!best) return null;
  return {
    id: best.id,
    source: best.source,
    stravaId: best.strava_id,
    localDate: best.local_date,
    name: best.name,
    sport: best.sport_type,
    startDate: best.start_date,
    richness: richnessOf(best.channels ?? [], best.sample_count ?? 0),
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
  const row = {
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
  };
  await db
    .insertInto('activity_sources')
    .values(row)
    .onConflict((oc) => oc.columns(['athlete_id', 'source', 'source_ref']).doUpdateSet(row))
    .execute();
}

/**
 * Activities stored before provenance was tracked (or by the plain Strava path) have no source row: write
 * one for what they are, so a merge can mark it as replaced.
 */
export async function ensureSourceRecorded(db: Db, activityId: string): Promise<void> {
  const existing = await db
    .selectFrom('activity_sources')
    .select('id')
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  if (existing) return;
  const activity = await db
    .selectFrom('activities')
    .leftJoin('activity_streams', 'activity_streams.activity_id', 'activities.id')
    .select([
      'activities.athlete_id',
      'activities.source',
      'activities.strava_id',
      'activity_streams.channels',
      'activity_streams.sample_count',
    ])
    .where('activities.id', '=', activityId)
    .executeTakeFirstOrThrow();
  await recordSource(db, {
    activityId,
    athleteId: activity.athlete_id,
    source: activity.source,
    sourceRef: activity.strava_id ?? `activity:${activityId}`,
    channels: activity.channels ?? [],
    samples: activity.sample_count ?? 0,
    kept: true,
    reason: 'first delivery of this workout',
  });
}

/** Marks every other delivery of an activity as no longer the kept one. */
export async function markOthersReplaced(
  db: Db,
  activityId: string,
  keptSource: ActivitySource,
  keptRef: string,
  reason: string,
): Promise<void> {
  await db
    .updateTable('activity_sources')
    .set({ kept: false, reason })
    .where('activity_id', '=', activityId)
    .where('kept', '=', true)
    .where((eb) => eb.or([eb('source', '!=', keptSource), eb('source_ref', '!=', keptRef)]))
    .execute();
}
