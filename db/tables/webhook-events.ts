import type { Generated, Selectable } from 'kysely';
import type { Json } from './json.ts';

export interface WebhookEventsTable {
  id: Generated<string>;
  dedup_key: string;
  subscription_id: string;
  object_type: 'activity' | 'athlete';
  object_id: string;
  aspect_type: 'create' | 'update' | 'delete';
  owner_id: string;
  event_time: string;
  updates: Json<Record<string, string>>;
  status: Generated<'pending' | 'done' | 'ignored' | 'failed'>;
  detail: string | null;
  received_at: Generated<Date>;
  processed_at: Date | null;
}
export type WebhookEventRow = Selectable<WebhookEventsTable>;
