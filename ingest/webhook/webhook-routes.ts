import { timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, Router } from 'express';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import { getSetting } from '../../db/queries/app-settings.ts';
import { jobNames } from '../../lib/jobs/job-names.ts';
import type { Logger } from '../../lib/logger.ts';
import { createWebhookEventStore } from './event-store.ts';
import { StravaWebhookEvent } from './webhook-event.ts';

export const subscriptionSettingKey = 'strava.subscription_id';
export const webhookEventJob = jobNames.webhookEvent;
const subscriptionCacheMs = 5_000;

/**
 * GET answers Strava's subscription validation; POST stores an event and enqueues its job in one
 * transaction (shared with the events arriving meanwhile: event-store.ts), then answers 200 (Strava's
 * deadline is 2 s). A wrong secret is a 404 with
 * nothing stored; a malformed body or another subscription's event is a 4xx with nothing enqueued.
 */
export function webhookRoutes(options: {
  db: Db;
  boss: PgBoss;
  logger: Logger;
  webhookSecret: string;
  verifyToken: string;
}): Router {
  const router = Router();
  const log = options.logger.child({ subsystem: 'webhook' });
  const events = createWebhookEventStore({ db: options.db, boss: options.boss });
  // The subscription id changes only when an operator recreates the subscription: read it at most every
  // few seconds, not once per event (at hundreds of events a second that read is a third of the work).
  let subscription: { id: number | undefined; readAt: number } | null = null;
  const currentSubscriptionId = async () => {
    if (!subscription || Date.now() - subscription.readAt > subscriptionCacheMs) {
      subscription = { id: await getSetting<number>(options.db, subscriptionSettingKey), readAt: Date.now() };
    }
    return subscription.id;
  };
  const checkSecret: RequestHandler = (req, res, next) => {
    if (!constantTimeEqual(String(req.params.secret ?? ''), options.webhookSecret)) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    next();
  };

  router.get('/strava/webhook/:secret', checkSecret, (req, res) => {
    const mode = req.query['hub.mode'];
    const challenge = req.query['hub.challenge'];
    const token = req.query['hub.verify_token'];
    if (mode !== 'subscribe' || typeof challenge !== 'string' || typeof token !== 'string') {
      res.status(400).json({
        error: 'bad_request',
        message: 'expected hub.mode=subscribe, hub.challenge, hub.verify_token',
      });
      return;
    }
    if (!constantTimeEqual(token, options.verifyToken)) {
      log.warn('subscription validation with a wrong verify token');
      res.status(403).json({ error: 'forbidden', message: 'verify token does not match' });
      return;
    }
    res.json({ 'hub.challenge': challenge });
  });

  router.post('/strava/webhook/:secret', checkSecret, express.json({ limit: '16kb' }), async (req, res) => {
    const parsed = StravaWebhookEvent.safeParse(req.body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.slice(0, 5) }, 'malformed webhook event rejected');
      res.status(400).json({ error: 'bad_request', message: 'not a Strava webhook event' });
      return;
    }
    const event = parsed.data;
    const subscriptionId = await currentSubscriptionId();
    if (subscriptionId !== undefined && subscriptionId !== event.subscription_id) {
      log.warn({ subscriptionId: event.subscription_id }, 'event for an unknown subscription rejected');
      res.status(403).json({ error: 'forbidden', message: 'unknown subscription' });
      return;
    }
    const stored = await events.store(event);
    // At debug: a line per event is a good part of the ack's CPU at hundreds of events a second, and the
    // job logs the event's outcome when it is processed.
    log.debug(
      {
        eventId: stored,
        objectType: event.object_type,
        aspect: event.aspect_type,
        duplicate: stored === null,
      },
      'webhook event received',
    );
    res.json({ status: stored === null ? 'duplicate' : 'accepted' });
  });
  return router;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
