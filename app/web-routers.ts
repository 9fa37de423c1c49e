import type { Router } from 'express';
import { connectRoutes } from '../ingest/connect/connect-routes.ts';
import { webhookRoutes } from '../ingest/webhook/webhook-routes.ts';
import type { AppContext } from './context.ts';

/** The web service's routes beyond health checks; Strava's only when Strava is configured. */
export function webRouters(ctx: AppContext): Router[] {
  const strava = ctx.config.strava;
  if (!strava || !ctx.strava) return [];
  return [
    connectRoutes({
      db: ctx.db,
      boss: ctx.boss,
      oauth: ctx.strava.oauth,
      cipher: ctx.strava.cipher,
      logger: ctx.logger,
      publicUrl: ctx.config.publicUrl,
    }),
    webhookRoutes({
      db: ctx.db,
      boss: ctx.boss,
      logger: ctx.logger,
      webhookSecret: strava.webhookSecret,
      verifyToken: strava.verifyToken,
    }),
  ];
}
