import { z } from 'zod';

// Strava's event JSON (INTEGRATIONS.md): ids are integers; `updates` values are strings ("true"/"false").
export const StravaWebhookEvent = z.object({
  object_type: z.enum(['activity', 'athlete']),
  object_id: z.number().int().positive(),
  aspect_type: z.enum(['create', 'update', 'delete']),
  updates: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).default({}),
  owner_id: z.number().int().positive(),
  subscription_id: z.number().int().positive(),
  event_time: z.number().int().positive(),
});
export type StravaWebhookEvent = z.infer<typeof StravaWebhookEvent>;

/** Strava retries a delivery with the same content; this key makes the retry one event. */
export function webhookDedupKey(event: StravaWebhookEvent): string {
  const updates = Object.keys(event.updates)
    .sort()
    .map((key) => `${key}=${String(event.updates[key])}`)
    .join('&');
  return [
    event.object_type,
    event.object_id,
    event.aspect_type,
    event.owner_id,
    event.event_time,
    updates,
  ].join(':');
}
