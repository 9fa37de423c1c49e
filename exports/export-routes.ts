import { type Response, Router } from 'express';
import type { BotContext } from '../bot/bot-context.ts';
import type { Db } from '../db/connect.ts';
import { exportWaiting, takeExport } from '../db/queries/data-exports.ts';
import { page } from '../ingest/connect/pages.ts';
import type { Logger } from '../lib/logger.ts';
import { exportLinkKey, verifyExportToken } from './export-links.ts';

/**
 * GET /exports/:token — a page with a download button (link previews and scanners fetch GET URLs, and
 * must not use up a one-time link); POST /exports/:token — the ZIP, once.
 */
function exportRoutes(deps: { db: Db; key: Buffer; logger: Logger; now?: () => Date }): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());

  router.get('/exports/:token', async (req, res) => {
    const check = verifyExportToken(deps.key, String(req.params.token), now());
    const waiting = check.ok ? await exportWaiting(deps.db, check.exportId, now()) : null;
    if (!check.ok || !waiting) {
      gone(res, check.ok ? 'used' : check.reason);
      return;
    }
    const action = `/exports/${encodeURIComponent(String(req.params.token))}`;
    res
      .status(200)
      .type('html')
      .send(
        page({
          ok: true,
          title: 'Your Threshold data',
          body: `<p>Your export is ready: a ZIP of ${(waiting.sizeBytes / 1024 / 1024).toFixed(1)} MB with all your data as JSON and CSV.</p><p>This link works once: keep the file when it has downloaded.</p><form method="post" action="${action}"><button type="submit" style="font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#2da44e;color:#fff;cursor:pointer">Download</button></form>`,
        }),
      );
  });

  router.post('/exports/:token', async (req, res) => {
    const check = verifyExportToken(deps.key, String(req.params.token), now());
    if (!check.ok) {
      gone(res, check.reason);
      return;
    }
    const stored = await takeExport(deps.db, check.exportId, now());
    if (!stored) {
      gone(res, 'used');
      return;
    }
    deps.logger.info({ exportId: check.exportId, bytes: stored.data.length }, 'export downloaded');
    res
      .status(200)
      .type('application/zip')
      .set('content-disposition', `attachment; filename="${stored.fileName.replace(/[^\w.-]/g, '_')}"`)
      .set('cache-control', 'no-store')
      .send(stored.data);
  });
  return router;
}

function gone(res: Response, reason: 'invalid' | 'expired' | 'used') {
  const title =
    reason === 'invalid'
      ? 'This link is not valid'
      : reason === 'expired'
        ? 'This link has expired'
        : 'This link was already used';
  res
    .status(reason === 'invalid' ? 404 : 410)
    .type('html')
    .send(
      page({
        ok: false,
        title,
        body: '<p>Download links work once, for 24 hours. Run <code>/export</code> in Discord for a new one.</p>',
      }),
    );
}

/** The download routes, when the installation has a secret to sign links with. */
export function exportRouters(ctx: BotContext): Router[] {
  const key = exportLinkKey(ctx.config);
  return key ? [exportRoutes({ db: ctx.db, key, logger: ctx.logger, now: ctx.now })] : [];
}
