import { Router } from 'express';
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { findOauthState } from '../../db/queries/oauth-states.ts';
import type { Logger } from '../../lib/logger.ts';
import { type ConnectionOutcome, completeConnection } from './complete-connection.ts';
import { hashState } from './connect-links.ts';
import type { StravaOAuthPort, TokenCipher } from './oauth-port.ts';
import { page } from './pages.ts';

const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(200).optional(),
  scope: z.string().max(200).optional(),
  error: z.string().max(100).optional(),
});

/**
 * GET /strava/connect/:state — the link the bot hands out: checks the state, then sends the browser to
 * Strava's authorize page. GET /strava/callback — Strava's redirect back.
 */
export function connectRoutes(deps: {
  db: Db;
  boss: PgBoss;
  oauth: StravaOAuthPort;
  cipher: TokenCipher;
  logger: Logger;
  publicUrl: string;
  operatorDiscordUserId?: string | null;
}): Router {
  const router = Router();
  router.get('/strava/connect/:state', async (req, res) => {
    const state = String(req.params.state);
    const row = await findOauthState(deps.db, hashState(state));
    if (!row || row.used_at || row.expires_at <= new Date()) {
      res
        .status(400)
        .type('html')
        .send(
          page({
            ok: false,
            title: 'This link has expired',
            body: '<p>Connect links work once and for ten minutes. Run <code>/connect</code> in Discord for a new one.</p>',
          }),
        );
      return;
    }
    res.redirect(302, deps.oauth.authorizeUrl({ redirectUri: `${deps.publicUrl}/strava/callback`, state }));
  });

  router.get('/strava/callback', async (req, res) => {
    const parsed = CallbackQuery.safeParse(req.query);
    const outcome: ConnectionOutcome = parsed.success
      ? await completeConnection(deps, parsed.data)
      : { kind: 'bad_state', reason: 'missing' };
    const { status, title, body } = describe(outcome);
    res
      .status(status)
      .type('html')
      .send(page({ ok: status === 200, title, body }));
  });
  return router;
}

function describe(outcome: ConnectionOutcome): { status: number; title: string; body: string } {
  switch (outcome.kind) {
    case 'connected':
      return {
        status: 200,
        title: 'Connected — back to Discord',
        body: `<p>Your Strava account is connected. Threshold is importing your last 30 activities now and will DM you when they are in.</p><p>You can close this tab.</p>`,
      };
    case 'bad_state':
      return {
        status: 400,
        title: outcome.reason === 'used' ? 'This link was already used' : 'This link is not valid',
        body: '<p>Connect links work once and for ten minutes. Run <code>/connect</code> in Discord for a new one.</p>',
      };
    case 'denied':
      return {
        status: 400,
        title: 'Not connected',
        body: '<p>You chose not to authorize Threshold on Strava, so nothing was connected or stored. If you change your mind, run <code>/connect</code> in Discord again.</p>',
      };
    case 'scope_missing':
      return {
        status: 400,
        title: 'Threshold needs to read your activities',
        body: '<p>Strava asked whether Threshold may <strong>view data about your activities</strong> (including private ones), and that box was unticked. Without it Threshold cannot compute your training load, so nothing was stored.</p><p>Run <code>/connect</code> in Discord again and leave that box ticked.</p>',
      };
    case 'claimed_by_other_user':
      return {
        status: 409,
        title: 'Already connected to someone else',
        body: '<p>This Strava account is connected to another Discord user. Run <code>/disconnect</code> from that Discord account first; one Strava account belongs to one Discord user.</p>',
      };
    case 'athlete_limit':
      return {
        status: 503,
        title: 'Threshold is full for now',
        body: '<p>Strava refused to connect your account: Strava limits how many athletes this Threshold installation may connect, and that limit is reached. Nothing was stored.</p><p>The operator has been told and can ask Strava for more room; please run <code>/connect</code> in Discord again later. Meanwhile you can feed Threshold your workouts without the Strava API: upload activity files with <code>/upload</code>, or your Strava bulk export with <code>/import</code>.</p>',
      };
    case 'exchange_failed':
      return {
        status: 502,
        title: 'Strava did not answer as expected',
        body: '<p>Connecting failed on Strava’s side. Nothing was stored. Run <code>/connect</code> in Discord to try again.</p>',
      };
  }
}
