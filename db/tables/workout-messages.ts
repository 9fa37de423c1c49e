import type { Generated, Selectable } from 'kysely';

/** The message after a new workout: queued when it arrives live, claimed before sending, sent once. */
export interface WorkoutMessagesTable {
  activity_id: string;
  athlete_id: string;
  status: Generated<'pending' | 'claimed' | 'sent' | 'skipped'>;
  claimed_at: Date | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
}
export type WorkoutMessageRow = Selectable<WorkoutMessagesTable>;
