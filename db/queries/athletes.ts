import type { Db } from '../connect.ts';
import type { AthleteThresholdRow, ThresholdKind } from '../tables/athlete-thresholds.ts';
import type { AthleteRow, AthleteUpdate } from '../tables/athletes.ts';

export function findAthleteByDiscordId(db: Db, discordUserId: string): Promise<AthleteRow | undefined> {
  return db
    .selectFrom('athletes')
    .selectAll()
    .where('discord_user_id', '=', discordUserId)
    .executeTakeFirst();
}

export function findAthleteByStravaId(db: Db, stravaAthleteId: string): Promise<AthleteRow | undefined> {
  return db
    .selectFrom('athletes')
    .selectAll()
    .where('strava_athlete_id', '=', stravaAthleteId)
    .executeTakeFirst();
}

export function findAthleteById(db: Db, id: string): Promise<AthleteRow | undefined> {
  return db.selectFrom('athletes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The athlete of a Discord user, created on first contact. */
export async function ensureAthlete(db: Db, discordUserId: string): Promise<AthleteRow> {
  await db
    .insertInto('athletes')
    .values({ discord_user_id: discordUserId })
    .onConflict((oc) => oc.column('discord_user_id').doNothing())
    .execute();
  const athlete = await findAthleteByDiscordId(db, discordUserId);
  if (!athlete) throw new Error('athlete vanished right after insert');
  return athlete;
}

/** Every dated threshold value of an athlete, oldest first. */
export function listThresholds(db: Db, athleteId: string): Promise<AthleteThresholdRow[]> {
  return db
    .selectFrom('athlete_thresholds')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .orderBy('kind')
    .orderBy('effective_date')
    .execute();
}

export async function setThreshold(
  db: Db,
  athleteId: string,
  kind: ThresholdKind,
  value: number,
  effectiveDate: string,
  source: 'manual' | 'estimate' | 'import' = 'manual',
): Promise<void> {
  await db
    .insertInto('athlete_thresholds')
    .values({ athlete_id: athleteId, kind, value, effective_date: effectiveDate, source })
    .onConflict((oc) => oc.columns(['athlete_id', 'kind', 'effective_date']).doUpdateSet({ value, source }))
    .execute();
}

/**
 * The value of each threshold in effect on `date`: the latest whose effective date is on or before it;
 * before the first dated value, that first value applies (METRICS.md: the first setting covers history).
 */
export function thresholdsOn(
  rows: AthleteThresholdRow[],
  date: string,
): Partial<Record<ThresholdKind, number>> {
  const result: Partial<Record<ThresholdKind, number>> = {};
  const byKind = new Map<ThresholdKind, AthleteThresholdRow[]>();
  for (const row of rows) byKind.set(row.kind, [...(byKind.get(row.kind) ?? []), row]);
  for (const [kind, values] of byKind) {
    const sorted = [...values].sort((a, b) => a.effective_date.localeCompare(b.effective_date));
    const inEffect = sorted.filter((row) => row.effective_date <= date).at(-1) ?? sorted[0];
    if (inEffect) result[kind] = inEffect.value;
  }
  return result;
}

/**
 * One writer per athlete at a time: every activity writer (sync, upload, import, re-analysis, the workout
 * message queue) takes the athlete's row lock first, so two deliveries of one ride cannot both create it,
 * PMC rewrites never interleave, and locks are always taken in the same order (no deadlocks). Call inside
 * a transaction; the lock is held until it ends. False when there is no such athlete.
 */
export async function lockAthlete(trx: Db, athleteId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('athletes')
    .select('id')
    .where('id', '=', athleteId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** Changes the athlete's own settings (profile, digest, units, ...). */
export async function updateAthlete(db: Db, athleteId: string, changes: AthleteUpdate): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', athleteId)
    .execute();
}

/** True for the console's demo athlete, which has no Discord account to send anything to. */
export async function isDemoDiscordUser(db: Db, discordUserId: string): Promise<boolean> {
  const row = await db
    .selectFrom('athletes')
    .select('demo')
    .where('discord_user_id', '=', discordUserId)
    .executeTakeFirst();
  return row?.demo === true;
}

/** Keeps a notice that could not be DMed; the athlete's next command shows it. */
export async function setPendingNotice(db: Db, discordUserId: string, notice: string): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ pending_notice: notice })
    .where('discord_user_id', '=', discordUserId)
    .execute();
}

/** The athlete's DMs are closed: no more workout messages, and a notice for their next command. */
export async function turnOffWorkoutDms(db: Db, athleteId: string, notice: string): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ workout_dm_enabled: false, pending_notice: notice })
    .where('id', '=', athleteId)
    .execute();
}

/** The athlete's DMs are closed: the digest is turned off (with the reason), and a notice is kept. */
export async function turnOffDigest(
  db: Db,
  athleteId: string,
  reason: 'dms_closed',
  notice: string,
): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ digest_enabled: false, digest_disabled_reason: reason, pending_notice: notice })
    .where('id', '=', athleteId)
    .execute();
}

/**
 * Until the athlete picks a time zone, it follows their newest activity's (Strava reports one per
 * activity): the digest hour and "today" are then theirs without asking. An older activity never moves it.
 */
export async function followActivityTimezone(
  db: Db,
  athleteId: string,
  zone: string,
  activityStart: Date,
): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ timezone: zone, updated_at: new Date() })
    .where('id', '=', athleteId)
    .where('timezone_chosen', '=', false)
    .where('timezone', '!=', zone)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('activities')
            .select('activities.id')
            .where('activities.athlete_id', '=', athleteId)
            .where('activities.source', '=', 'strava_api')
            .where('activities.start_date', '>', activityStart),
        ),
      ),
    )
    .execute();
}
