import { sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { AthleteRow } from '../tables/athletes.ts';

/** The daily digest's state on the athlete row: when it is due, and which day was sent last. */

/**
 * Athletes whose digest may be due at `now`: enabled, not the demo, past their digest time and not yet
 * sent today, both in their own zone (Postgres applies each zone's rules, so 10,000 athletes cost one query).
 */
export function digestCandidates(
  db: Db,
  now: Date,
): Promise<Pick<AthleteRow, 'id' | 'timezone' | 'digest_time' | 'digest_last_date'>[]> {
  return (
    db
      .selectFrom('athletes')
      .select([
        'id',
        'timezone',
        'digest_time',
        sql<string | null>`digest_last_date::text`.as('digest_last_date'),
      ])
      .where('digest_enabled', '=', true)
      // The console's demo athlete has no Discord account: even with /settings digest on, no DM goes out.
      .where('demo', '=', false)
      .where(
        sql<boolean>`(${now}::timestamptz AT TIME ZONE athletes.timezone)::time >= athletes.digest_time::time`,
      )
      .where((eb) =>
        eb.or([
          eb('digest_last_date', 'is', null),
          sql<boolean>`athletes.digest_last_date < (${now}::timestamptz AT TIME ZONE athletes.timezone)::date`,
        ]),
      )
      .execute()
  );
}

/**
 * Claims the digest of `date` for the athlete: true exactly once per athlete and date, however many
 * workers race for it. The claim is recorded before the DM goes out, so a crash can lose one digest but
 * can never send two.
 */
export async function claimDigest(
  db: Db,
  athleteId: string,
  date: string,
): Promise<{ previous: string | null } | null> {
  const row = await sql<{ previous: string | null }>`
    UPDATE athletes SET digest_last_date = ${date}::date
    FROM (SELECT id, digest_last_date::text AS previous FROM athletes WHERE id = ${athleteId} FOR UPDATE) old
    WHERE athletes.id = old.id AND athletes.digest_enabled
      AND (athletes.digest_last_date IS NULL OR athletes.digest_last_date < ${date}::date)
    RETURNING old.previous`.execute(db);
  return row.rows[0] ?? null;
}

/** Gives a claim back when the DM could not be sent, so a retry may send it. */
export async function releaseDigest(
  db: Db,
  athleteId: string,
  date: string,
  previous: string | null,
): Promise<void> {
  await db
    .updateTable('athletes')
    .set({ digest_last_date: previous })
    .where('id', '=', athleteId)
    .where('digest_last_date', '=', date)
    .execute();
}
