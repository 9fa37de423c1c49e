import type { Generated, Insertable, Selectable } from 'kysely';
import type { Json } from './json.ts';

export type CoachMessageRole = 'user' | 'assistant' | 'summary';

export interface CoachMessagesTable {
  id: Generated<string>;
  athlete_id: string;
  role: CoachMessageRole;
  content: string;
  /** Tools called for an answer and the audit outcome (for the export and debugging). */
  tool_data: Json<Record<string, unknown>> | null;
  mode: 'ai' | 'rule-based' | null;
  /** The text may carry numbers from Strava API data: never sent to the model under the AI firewall. */
  strava_api_derived: Generated<boolean>;
  created_at: Generated<Date>;
}
export type CoachMessageRow = Selectable<CoachMessagesTable>;
export type NewCoachMessageRow = Insertable<CoachMessagesTable>;

export interface CoachUsageTable {
  athlete_id: string;
  /** Athlete-local day. */
  date: string;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  requests: Generated<number>;
}
export type CoachUsageRow = Selectable<CoachUsageTable>;
