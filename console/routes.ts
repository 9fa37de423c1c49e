import { readFileSync } from 'node:fs';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { BotContext } from '../bot/bot-context.ts';
import { countActivities } from '../db/queries/activities.ts';
import {
  deleteDemoAthletes,
  findAthleteById,
  findDemoAthlete,
  findRealAthlete,
  listRealAthletes,
} from '../db/queries/athletes.ts';
import { setSessionAthlete } from '../db/queries/console-sessions.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { maxActivityFileBytes } from '../imports/limits.ts';
import { AttachmentStore, attachmentTokenPattern } from './attachments.ts';
import {
  type ConsoleLocals,
  consoleHeaders,
  consumeLoginLink,
  createSession,
  endSession,
  isSameOrigin,
  isSecure,
  passwordMatches,
  requireSession,
  sessionCookie,
  sessionLifetimeMs,
} from './auth.ts';
import { type FeatureStatus, featureStatuses, scrub } from './checks.ts';
import { consolePage, healthHtml, loginPage } from './pages.ts';
import { consoleStats } from './stats.ts';
import { replyToHtml } from './web-adapter.ts';

// The chat panel (every slash command, the coach, the charts) and the demo (the file parsers) load with
// their first use: a web process that only answers Strava and health checks never holds them.
const chat = () => import('./chat.ts');
const demoAthlete = () => import('./demo/demo-athlete.ts');

const script = readFileSync(new URL('./static/console.js', import.meta.url), 'utf8');
const stylesheet = readFileSync(new URL('./static/console.css', import.meta.url), 'utf8');

/** Live checks call Discord, Strava and the model: at most once a minute, however often pages refresh. */
const checksTtlMs = 60_000;

const CommandBody = z.object({
  command: z.string().min(1).max(32),
  options: z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean()])).default({}),
});
const AutocompleteBody = CommandBody.extend({
  focused: z.object({ name: z.string().max(32), value: z.string().max(100) }),
});
const ButtonBody = z.object({ customId: z.string().min(1).max(100) });
const DmBody = z.object({ text: z.string().trim().min(1).max(2000) });

const tooLarge = `That file is larger than ${maxActivityFileBytes / 1024 / 1024} MB, the limit per file.`;

/** The file's name as the browser sent it (URI-encoded, so any name fits in a header); a plain base name. */
function decodeFileName(header: string | undefined): string | null {
  if (!header) return null;
  let name: string;
  try {
    name = decodeURIComponent(header);
  } catch {
    return null;
  }
  name = name.replace(/^.*[\\/]/, '').trim();
  return name.length >= 1 && name.length <= 300 ? name : null;
}

/**
 * The operator console at `/`: setup and health, the demo athlete, and a chat panel that talks to the
 * bot's own command handlers. Every route but login and the static files needs a session.
 */
export function consoleRoutes(ctx: BotContext): Router {
  const { db, config, logger } = ctx;
  const log = logger.child({ subsystem: 'console' });
  const router = Router();
  let checks: { at: number; value: Promise<FeatureStatus[]> } | null = null;
  const attachments = new AttachmentStore();
  const features = () => {
    if (!checks || Date.now() - checks.at > checksTtlMs)
      checks = { at: Date.now(), value: featureStatuses(ctx) };
    return checks.value;
  };

  const noStore = (_req: Request, res: Response, next: () => void) => {
    consoleHeaders(res);
    next();
  };

  router.get('/console/console.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(script);
  });
  router.get('/console/console.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-cache').send(stylesheet);
  });

  // The one-time link a command handler downloads an uploaded file from (see attachments.ts): no session,
  // since the handler fetches it like Discord's CDN; the unguessable token, used once, is the protection.
  router.get('/console/attachments/:token', noStore, (req, res) => {
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const file = attachmentTokenPattern.test(token) ? attachments.take(token) : undefined;
    if (!file) {
      res.status(404).type('text/plain').send('No such file (links work once, for a few minutes).');
      return;
    }
    res
      .type(file.contentType ?? 'application/octet-stream')
      .set('Content-Disposition', 'attachment')
      .set('X-Content-Type-Options', 'nosniff')
      .send(file.data);
  });

  router.get('/console/login', noStore, async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : null;
    if (token === null) {
      res.type('html').send(loginPage({ passwordEnabled: config.console.password !== null }));
      return;
    }
    if (!(await consumeLoginLink(db, token, ctx.now()))) {
      log.warn({ ip: req.ip }, 'console login link refused (used, expired or unknown)');
      res
        .status(401)
        .type('html')
        .send(
          loginPage({
            passwordEnabled: config.console.password !== null,
            error: 'This login link was used or has expired. Restart Threshold for a new one.',
          }),
        );
      return;
    }
    await startSession(req, res);
    log.info({ ip: req.ip, via: 'link' }, 'console login');
    res.redirect(303, '/');
  });

  router.post(
    '/console/login',
    noStore,
    express.urlencoded({ extended: false, limit: '4kb' }),
    async (req, res) => {
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      if (!isSameOrigin(req, config.publicUrl) || !passwordMatches(password, config.console.password)) {
        log.warn({ ip: req.ip }, 'console login refused');
        // A second per wrong guess keeps guessing slow (a CONSOLE_PASSWORD has at least 12 characters).
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        res
          .status(401)
          .type('html')
          .send(loginPage({ passwordEnabled: config.console.password !== null, error: 'Wrong password.' }));
        return;
      }
      await startSession(req, res);
      log.info({ ip: req.ip, via: 'password' }, 'console login');
      res.redirect(303, '/');
    },
  );

  const authenticated = requireSession({
    db,
    publicUrl: config.publicUrl,
    now: ctx.now,
    refuse: (req, res) => {
      if (req.method === 'GET' && req.accepts('html') && !req.path.startsWith('/console/health')) {
        res
          .status(401)
          .type('html')
          .send(loginPage({ passwordEnabled: config.console.password !== null }));
      } else {
        res.status(401).json({ error: 'unauthorized', message: 'Log in to the console first.' });
      }
    },
  });
  const json = express.json({ limit: '16kb' });
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  const page = async (req: Request, res: Response) => {
    const { session } = res.locals.console as ConsoleLocals;
    const viewing = await viewedAthlete(res);
    const demo = await findDemoAthlete(db);
    const realAthletes = await listRealAthletes(db, 500);
    res.type('html').send(
      consolePage({
        ctx,
        csrf: session.csrf_token,
        health: await healthFragment(),
        commands: (await chat()).consoleCommands(),
        demo: {
          loaded: demo !== undefined,
          activities: demo ? await countActivities(db, demo.id) : 0,
        },
        viewing: viewing ? { id: viewing.id, name: viewing.name ?? 'athlete', demo: viewing.demo } : null,
        realAthletes,
        ...(typeof req.query.notice === 'string' ? { notice: req.query.notice.slice(0, 200) } : {}),
      }),
    );
  };
  router.get('/', authenticated, page);
  router.get('/console', authenticated, page);

  router.get('/console/health', authenticated, async (_req, res) => {
    res.type('html').send(await healthFragment());
  });

  router.post('/console/logout', form, authenticated, async (_req, res) => {
    const { sessionToken } = res.locals.console as ConsoleLocals;
    await endSession(db, sessionToken);
    res.set('Set-Cookie', sessionCookie('', isSecure(_req, config.publicUrl), 0));
    res.redirect(303, '/console/login');
  });

  router.post('/console/demo', form, authenticated, async (_req, res) => {
    const result = await (await demoAthlete()).loadDemo(ctx);
    log.info({ athleteId: result.athleteId, activities: result.activities }, 'demo athlete loaded');
    await setOpenedAthlete(res, null);
    res.redirect(
      303,
      `/?notice=${encodeURIComponent(`Demo athlete loaded: ${result.activities} activities.`)}`,
    );
  });

  router.post('/console/demo/remove', form, authenticated, async (_req, res) => {
    const removed = await deleteDemoAthletes(db);
    log.info({ removed }, 'demo athlete removed');
    res.redirect(
      303,
      `/?notice=${encodeURIComponent(removed ? 'Demo athlete removed.' : 'No demo athlete to remove.')}`,
    );
  });

  router.post('/console/athlete', form, authenticated, async (req, res) => {
    const id = typeof req.body?.athleteId === 'string' ? req.body.athleteId : '';
    if (id === '') {
      await setOpenedAthlete(res, null);
      res.redirect(303, '/#chat');
      return;
    }
    const athlete = /^\d{1,18}$/.test(id) ? await findRealAthlete(db, id) : undefined;
    if (!athlete) {
      res.redirect(303, `/?notice=${encodeURIComponent('No such athlete.')}`);
      return;
    }
    // A real athlete's data is theirs alone: the operator may look, and it is on the record.
    log.warn({ athleteId: athlete.id, ip: req.ip }, 'console operator opened a real athlete');
    await setOpenedAthlete(res, athlete.id);
    res.redirect(303, '/#chat');
  });

  router.post('/console/chat/command', json, authenticated, async (req, res) => {
    const body = parseBody(CommandBody, req.body, res);
    if (!body) return;
    const athlete = await requireViewed(res);
    if (!athlete) return;
    const { session } = res.locals.console as ConsoleLocals;
    const reply = await (await chat()).runCommand(ctx, athlete, body.command, body.options, (id) =>
      attachments.option(id, session.token_hash, selfUrl(req)),
    );
    log.info(
      { command: body.command, athleteId: athlete.id, demo: athlete.demo },
      'console command answered',
    );
    res.type('html').send(replyToHtml(reply));
  });

  // A file picked for an attachment option: the raw bytes, its name in a header; capped as /upload caps.
  // The session and CSRF token are checked before a byte of the body is read.
  router.post(
    '/console/chat/attachment',
    authenticated,
    (req, res, next) => {
      if (Number(req.get('content-length') ?? 0) > maxActivityFileBytes) {
        res.status(413).json({ error: 'too_large', message: tooLarge });
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: maxActivityFileBytes }),
    (req, res) => {
      const name = decodeFileName(req.get('x-file-name'));
      if (!name || !Buffer.isBuffer(req.body)) {
        res.status(400).json({ error: 'bad_request', message: 'A file with a name is needed.' });
        return;
      }
      const { session } = res.locals.console as ConsoleLocals;
      const type = req.get('content-type');
      const id = attachments.put(session.token_hash, {
        name,
        contentType: type && type !== 'application/octet-stream' ? type.slice(0, 200) : null,
        data: req.body,
      });
      log.info({ bytes: req.body.length }, 'console attachment held');
      res.json({ id, name, size: req.body.length });
    },
  );

  router.post('/console/chat/autocomplete', json, authenticated, async (req, res) => {
    const body = parseBody(AutocompleteBody, req.body, res);
    if (!body) return;
    const athlete = await requireViewed(res);
    if (!athlete) return;
    res.json(await (await chat()).runAutocomplete(ctx, athlete, body.command, body.focused, body.options));
  });

  router.post('/console/chat/button', json, authenticated, async (req, res) => {
    const body = parseBody(ButtonBody, req.body, res);
    if (!body) return;
    const athlete = await requireViewed(res);
    if (!athlete) return;
    res.type('html').send(replyToHtml(await (await chat()).pressButton(ctx, athlete, body.customId)));
  });

  router.post('/console/chat/dm', json, authenticated, async (req, res) => {
    const body = parseBody(DmBody, req.body, res);
    if (!body) return;
    const athlete = await requireViewed(res);
    if (!athlete) return;
    const replies = await (await chat()).sendDirectMessage(ctx, athlete, body.text);
    res.type('html').send(replies.map((reply) => replyToHtml(reply)).join('\n'));
  });

  return router;

  /**
   * Where this process itself answers: the address and port the request arrived on (PUBLIC_URL may be a
   * proxy that cannot be reached from inside).
   */
  function selfUrl(req: Request): string {
    const address = req.socket.localAddress ?? '127.0.0.1';
    const host = address.startsWith('::ffff:')
      ? address.slice('::ffff:'.length)
      : address.includes(':')
        ? `[${address}]`
        : address;
    return `http://${host}:${req.socket.localPort}`;
  }

  /** A malformed body is the console's own bug or a hand-made request: a 400 that says what, not a 500. */
  function parseBody<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    res
      .status(400)
      .json({ error: 'bad_request', message: parsed.error.issues.map((i) => i.message).join('; ') });
    return undefined;
  }

  async function startSession(req: Request, res: Response) {
    const { token } = await createSession(db, ctx.now());
    res.set('Set-Cookie', sessionCookie(token, isSecure(req, config.publicUrl), sessionLifetimeMs));
  }

  async function healthFragment(): Promise<string> {
    const [statuses, stats] = await Promise.all([features(), consoleStats(db, ctx.now())]);
    const secrets = [config.discord?.token, config.strava?.clientSecret, config.coach.apiKey].filter(
      (s): s is string => typeof s === 'string' && s.length >= 4,
    );
    for (const error of stats.errors) error.message = scrub(error.message, secrets);
    return healthHtml(statuses, stats, ctx.now());
  }

  /** The demo athlete, unless the operator opened a real one in this session. */
  async function viewedAthlete(res: Response): Promise<AthleteRow | undefined> {
    const { session } = res.locals.console as ConsoleLocals;
    if (session.opened_athlete_id) {
      const opened = await findAthleteById(db, session.opened_athlete_id);
      if (opened) return opened;
    }
    return findDemoAthlete(db);
  }

  async function requireViewed(res: Response): Promise<AthleteRow | undefined> {
    const athlete = await viewedAthlete(res);
    if (!athlete) {
      res
        .status(409)
        .type('html')
        .send(replyToHtml({ content: 'No athlete to talk to: load the demo athlete first.' }));
    }
    return athlete;
  }

  async function setOpenedAthlete(res: Response, athleteId: string | null) {
    const { session } = res.locals.console as ConsoleLocals;
    await setSessionAthlete(db, session.token_hash, athleteId);
  }
}
