import express, { type ErrorRequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { AppError, httpStatusOf } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

/** The Express app: security headers, the given routers, one error handler. Express 5 forwards async throws. */
export function createExpressApp(options: { logger: Logger; routers: Router[] }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  // Connect, callback, upload and export pages carry one-time tokens (in the URL or the page), and every
  // other answer is per-request state: nothing is stored by browsers or proxies. Only the static upload
  // script may be cached.
  app.use((req, res, next) => {
    if (req.path !== '/imports/upload.js') res.setHeader('Cache-Control', 'no-store');
    next();
  });
  for (const router of options.routers) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    if (error instanceof AppError) {
      if (error.code === 'internal') options.logger.error({ err: error, path: req.path }, error.message);
      res.status(httpStatusOf[error.code]).json({ error: error.code, message: error.userMessage });
      return;
    }
    // Body-parser errors (malformed JSON, too large) carry their own status.
    const status =
      typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) options.logger.error({ err: error, path: req.path }, 'request failed');
    res.status(status).json({ error: status === 500 ? 'internal' : 'bad_request' });
  };
  app.use(onError);
  return app;
}
