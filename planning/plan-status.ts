import type { PlanStatus } from '../db/tables/planning.ts';

/**
 * What a plan's status is on `today`: fulfilled plans are done; an open plan whose day has passed is
 * missed (an activity synced late still turns it into done, since matching looks at every plan of the
 * day). Stored statuses are planned/moved/done; "missed" is read off the calendar, never guessed early.
 */
export function planStatusOn(
  plan: { date: string; status: PlanStatus; activity_id: string | null },
  today: string,
): PlanStatus {
  if (plan.activity_id !== null) return 'done';
  if (plan.status === 'missed') return 'missed';
  if (plan.date < today) return 'missed';
  return plan.status === 'done' ? 'planned' : plan.status;
}

export const statusEmoji: Record<PlanStatus, string> = {
  planned: '🗓️',
  moved: '↪️',
  done: '✅',
  missed: '❌',
};
