import type { Db } from '../connect.ts';
import type { ActivitySource } from '../tables/activities.ts';
import type { NewActivitySourceRow } from '../tables/activity-sources.ts';

/** Records one delivery of a workout (idempotent per athlete, source and reference). */
export async function saveActivitySource(db: Db, row: NewActivitySourceRow): Promise<void> {
  await db
    .insertInto('activity_sources')
    .values(row)
    .onConflict((oc) => oc.columns(['athlete_id', 'source', 'source_ref']).doUpdateSet(row))
    .execute();
}

/** The activity a delivery with this source and reference went into, if it was recorded before. */
export async function activityOfSource(
  db: Db,
  athleteId: string,
  source: ActivitySource,
  sourceRef: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('activity_sources')
    .select('activity_id')
    .where('athlete_id', '=', athleteId)
    .where('source', '=', source)
    .where('source_ref', '=', sourceRef)
    .executeTakeFirst();
  return row?.activity_id ?? null;
}

/** True when any delivery of the activity is recorded. */
export async function hasActivitySource(db: Db, activityId: string): Promise<boolean> {
  const row = await db
    .selectFrom('activity_sources')
    .select('id')
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks every kept delivery of an activity other than this source and reference as no longer kept. */
export async function markOtherSourcesReplaced(
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

export async function deleteActivitySource(
  db: Db,
  activityId: string,
  source: ActivitySource,
  sourceRef: string,
): Promise<void> {
  await db
    .deleteFrom('activity_sources')
    .where('activity_id', '=', activityId)
    .where('source', '=', source)
    .where('source_ref', '=', sourceRef)
    .execute();
}
