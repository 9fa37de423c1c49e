import { type Db, inTransaction } from '../connect.ts';
import type { AthleteThresholdRow, ThresholdKind } from '../tables/athlete-thresholds.ts';
import type { AthleteRow, AthleteUpdate, NewAthleteRow } from '../tables/athletes.ts';

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

/** The athlete a Strava account is connected to, locked for the rest of the transaction. */
export function lockAthleteByStravaId(
  db: Db,
  stravaAthleteId: string,
): Promise<Pick<AthleteRow, 'id' | 'discord_user_id'> | undefined> {
  return db
    .selectFrom('athletes')
    .select(['id', 'discord_user_id'])
    .where('strava_athlete_id', '=', stravaAthleteId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Links the Discord user's athlete (created when new) to a Strava account; the Strava profile's name and
 * sex fill only what the athlete has not set. Returns the athlete's id.
 */
export async function linkStravaAthlete(
  db: Db,
  link: {
    discordUserId: string;
    stravaAthleteId: string;
    name: string | null;
    sex: AthleteRow['sex'];
    now: Date;
  },
): Promise<string> {
  const athlete = await db
    .insertInto('athletes')
    .values({
      discord_user_id: link.discordUserId,
      strava_athlete_id: link.stravaAthleteId,
      name: link.name,
      sex: link.sex,
    })
    .onConflict((oc) =>
      oc.column('discord_user_id').doUpdateSet((eb) => ({
        strava_athlete_id: link.stravaAthleteId,
        name: eb.fn.coalesce('athletes.name', eb.val(link.name)),
        sex: eb.fn.coalesce('athletes.sex', eb.val(link.sex)),
        updated_at: link.now,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return athlete.id;
}

/** Forgets the athlete's Strava account and the name that came from its profile. */
export async function unlinkStravaAthlete(db: Db, athleteId: string): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ strava_athlete_id: null, name: null, updated_at: new Date() })
    .where('id', '=', athleteId)
    .execute();
}

export function insertAthlete(db: Db, athlete: NewAthleteRow): Promise<AthleteRow> {
  return db.insertInto('athletes').values(athlete).returningAll().executeTakeFirstOrThrow();
}

/** A real (not demo) athlete by id, for the console's operator to open. */
export function findRealAthlete(db: Db, id: string): Promise<AthleteRow | undefined> {
  return db
    .selectFrom('athletes')
    .selectAll()
    .where('id', '=', id)
    .where('demo', '=', false)
    .executeTakeFirst();
}

/** Real athletes (never the demo), oldest first, up to `limit`. */
export function listRealAthletes(db: Db, limit: number): Promise<Pick<AthleteRow, 'id' | 'name'>[]> {
  return db
    .selectFrom('athletes')
    .select(['id', 'name'])
    .where('demo', '=', false)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The console's demo athlete, if loaded. */
export function findDemoAthlete(db: Db): Promise<AthleteRow | undefined> {
  return db.selectFrom('athletes').selectAll().where('demo', '=', true).orderBy('id').executeTakeFirst();
}

/** Removes the demo athlete and everything that is theirs; true when there was one. */
export async function deleteDemoAthletes(db: Db): Promise<boolean> {
  const demos = await db
    .selectFrom('athletes')
    .select(['id', 'discord_user_id'])
    .where('demo', '=', true)
    .execute();
  if (demos.length === 0) return false;
  await inTransaction(db, async (trx) => {
    const discordIds = demos.map((d) => d.discord_user_id);
    // Rows that name the athlete by Discord id rather than by a foreign key.
    await trx.deleteFrom('oauth_states').where('discord_user_id', 'in', discordIds).execute();
    // Everything else references athletes(id) ON DELETE CASCADE (or SET NULL, like console sessions).
    await trx.deleteFrom('athletes').where('demo', '=', true).execute();
  });
  return true;
}

/** Takes the athlete's kept notice (clearing it), or null when there is none. */
export async function takePendingNotice(db: Db, discordUserId: string): Promise<string | null> {
  // RETURNING gives the row after the update (null), so the old text comes from a self-join.
  const row = await db
    .updateTable('athletes as a')
    .from('athletes as old')
    .set({ pending_notice: null })
    .whereRef('a.id', '=', 'old.id')
    .where('a.discord_user_id', '=', discordUserId)
    .where('a.pending_notice', 'is not', null)
    .returning('old.pending_notice')
    .executeTakeFirst();
  return row?.pending_notice ?? null;
}
