import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../connect.ts';
import type { WebhookEventRow, WebhookEventsTable } from '../tables/webhook-events.ts';

/** Strava's webhook events as received, and what processing them came to. */

/** Stores the events, skipping those whose dedup key is stored already; the stored ones' ids and keys. */
export function insertWebhookEvents(
  db: Db,
  events: Insertable<WebhookEventsTable>[],
): Promise<Pick<WebhookEventRow, 'id' | 'dedup_key'>[]> {
  return db
    .insertInto('webhook_events')
    .values(events)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning(['id', 'dedup_key'])
    .execute();
}

export function findWebhookEvent(db: Db, eventId: string): Promise<WebhookEventRow | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', eventId).executeTakeFirst();
}

/** Records what processing the event came to (its status, detail, when). */
export async function updateWebhookEvent(
  db: Db,
  eventId: string,
  changes: Pick<Updateable<WebhookEventsTable>, 'status' | 'detail' | 'processed_at'>,
): Promise<void> {
  await db.updateTable('webhook_events').set(changes).where('id', '=', eventId).execute();
}
