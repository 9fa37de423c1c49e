import type { Router } from 'express';
import { consoleRoutes } from '../console/routes.ts';
import { exportRouters } from '../exports/export-routes.ts';
import { importRoutes } from '../imports/web-routes.ts';
import { connectRoutes } from '../ingest/connect/connect-routes.ts';
import { webhookRoutes } from '../ingest/webhook/webhook-routes.ts';
import type { AppContext } from './context.ts';

/** The web service's routes beyond health checks; Strava's only when Strava is configured. */
export function webRouters(ctx: AppContext): Router[] {
  const strava = ctx.config.strava;
  // Export downloads and export uploads need no Strava configuration.
  // The operator console (login required) needs nothing configured either.
  const downloads = [consoleRoutes(ctx), ...exportRouters(ctx), importRoutes(ctx)];
  if (!strava || !ctx.strava) return downloads;
  return [
    // Strava's webhook first: the one route taking hundreds of requests a second matches before the rest.
    webhookRoutes({
      db: ctx.db,
      boss: ctx.boss,
      logger: ctx.logger,
      webhookSecret: strava.webhookSecret,
      verifyToken: strava.verifyToken,
    }),
    ...downloads,
    connectRoutes({
      db: ctx.db,
      boss: ctx.boss,
      oauth: ctx.strava.oauth,
      cipher: ctx.strava.cipher,
      logger: ctx.logger,
      publicUrl: ctx.config.publicUrl,
      operatorDiscordUserId: ctx.config.discord?.operatorUserId ?? null,
    }),
  ];
}
