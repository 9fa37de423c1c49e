import type { Server } from 'node:http';
import type { Router } from 'express';
import type { Db } from '../db/connect.ts';
import { createExpressApp } from '../ingest/web/app.ts';
import { healthRoutes } from '../ingest/web/health-routes.ts';
import type { Logger } from '../lib/logger.ts';
import type { Service } from './service.ts';

// Where Service used to live; run-process imports it from service.ts so a worker never loads express.
export { type Service, stopAll } from './service.ts';

/** The HTTP side: health checks plus the given routers (Strava OAuth, webhooks, uploads). */
export function createWebService(options: {
  db: Db;
  logger: Logger;
  port: number;
  host?: string;
  routers?: Router[];
}): Service & { address: () => { port: number } } {
  const app = createExpressApp({
    logger: options.logger,
    routers: [healthRoutes(options.db), ...(options.routers ?? [])],
  });
  let server: Server | null = null;
  return {
    name: 'web',
    start: () =>
      new Promise((resolve, reject) => {
        const listening = app.listen(options.port, options.host ?? '0.0.0.0', (error?: Error) => {
          if (error) return reject(error);
          server = listening;
          // Strava's webhook deadline is 2 s; idle keep-alive sockets must not hold shutdown up.
          listening.keepAliveTimeout = 5_000;
          // A Strava export of several hundred MB over a slow line takes longer than Node's 5-minute default.
          listening.requestTimeout = 2 * 3600_000;
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server?.closeAllConnections(), 5_000).unref();
      }),
    address: () => {
      const address = server?.address();
      if (!address || typeof address === 'string') throw new Error('web service is not listening');
      return { port: address.port };
    },
  };
}
