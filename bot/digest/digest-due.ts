import { localDateTime } from '../../lib/local-time.ts';

export interface DigestCandidate {
  id: string;
  timezone: string;
  digest_time: string;
  digest_last_date: string | null;
}

/**
 * The athlete-local date whose digest is due at `now`, or null. Due once the local clock has reached the
 * chosen time on a day that has not had its digest. Local time comes from the zone's rules at `now`, so a
 * time skipped by a spring-forward change is sent at the first minute after it, and a time repeated in
 * autumn is sent once (the date is recorded).
 */
export function digestDueDate(candidate: DigestCandidate, now: Date): string | null {
  let local: { date: string; time: string };
  try {
    local = localDateTime(now, candidate.timezone);
  } catch {
    local = localDateTime(now, 'UTC');
  }
  if (local.time < candidate.digest_time) return null;
  if (candidate.digest_last_date !== null && candidate.digest_last_date >= local.date) return null;
  return local.date;
}
