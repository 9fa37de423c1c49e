import type { Db } from '../../db/connect.ts';
import { digestCandidates } from '../../db/queries/digests.ts';
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
  const rows = await digestCandidates(db, now);
  const due: DueDigest[] = [];
  for (const row of rows) {
    const date = digestDueDate(row, now);
    if (date) due.push({ athleteId: row.id, date });
  }
  return due;
}
