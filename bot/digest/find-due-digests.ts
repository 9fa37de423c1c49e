import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { digestDueDate } from './digest-due.ts';

export interface DueDigest {
  athleteId: string;
  /** The athlete-local date the digest is for. */
  date: string;
}

/**
 * Athletes whose digest is due at `now`. Postgres narrows the set with each athlete's zone rules (so
 * 10,000 athletes cost one query), and `digestDueDate` decides each one with the same rule the sender uses.
 */
export async function findDueDigests(db: Db, now: Date): Promise<DueDigest[]> {
  const rows = await db
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
    .execute();
  const due: DueDigest[] = [];
  for (const row of rows) {
    const date = digestDueDate(row, now);
    if (date) due.push({ athleteId: row.id, date });
  }
  return due;
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
