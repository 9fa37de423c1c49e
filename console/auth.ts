import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/connect.ts';
import {
  deleteExpiredLoginLinks,
  deleteExpiredSessions,
  deleteLoginLink,
  deleteSession,
  findSessionByHash,
  insertLoginLink,
  insertSession,
} from '../db/queries/console-sessions.ts';
import type { ConsoleSessionRow } from '../db/tables/console.ts';

/** A console session lasts this long from login; the operator logs in again afterwards. */
export const sessionLifetimeMs = 12 * 3600_000;
/** The link printed at start works once, within this time. */
export const loginLinkLifetimeMs = 24 * 3600_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/** Creates a one-time login link (only its hash is stored) and returns the URL to print. */
export async function createLoginLink(db: Db, publicUrl: string, now = new Date()): Promise<string> {
  const token = newToken();
  await insertLoginLink(db, sha256(token), new Date(now.getTime() + loginLinkLifetimeMs));
  // Expired links are of no use to anyone: cleared whenever a new one is made.
  await deleteExpiredLoginLinks(db, now);
  return `${publicUrl}/console/login?token=${token}`;
}

/** Uses up a login link: true once for a valid, unexpired token, false ever after. */
export async function consumeLoginLink(db: Db, token: string, now = new Date()): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false;
  return deleteLoginLink(db, sha256(token), now);
}

/** Constant-time comparison of the typed password with CONSOLE_PASSWORD (hashes have equal length). */
export function passwordMatches(given: string, expected: string | null): boolean {
  if (!expected) return false;
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );
}

export async function createSession(db: Db, now = new Date()): Promise<{ token: string; csrf: string }> {
  const token = newToken();
  const csrf = newToken();
  await insertSession(db, {
    tokenHash: sha256(token),
    csrfToken: csrf,
    expiresAt: new Date(now.getTime() + sessionLifetimeMs),
  });
  await deleteExpiredSessions(db, now);
  return { token, csrf };
}

export async function findSession(
  db: Db,
  token: string,
  now = new Date(),
): Promise<ConsoleSessionRow | null> {
  if (!token) return null;
  return (await findSessionByHash(db, sha256(token), now)) ?? null;
}

export async function endSession(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256(token));
}

/**
 * Secure cookies whenever the browser reaches us over HTTPS: the request says so (behind a proxy that
 * Express trusts) or PUBLIC_URL is https. `__Host-` then pins the cookie to this host and path `/`.
 */
function cookieName(secure: boolean): string {
  return secure ? '__Host-threshold-console' : 'threshold-console';
}

export function isSecure(req: Request, publicUrl: string): boolean {
  return req.secure || publicUrl.startsWith('https://');
}

function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function sessionCookie(token: string, secure: boolean, maxAgeMs: number): string {
  return [
    `${cookieName(secure)}=${token}`,
    'Path=/',
    'HttpOnly',
    // Strict: no other site can make the browser send it (the first line of CSRF defence).
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export interface ConsoleLocals {
  session: ConsoleSessionRow;
  sessionToken: string;
}

/**
 * Every console route passes here: no cache, a valid session, and on writes the session's CSRF token
 * (header or form field) plus a same-origin Origin header when the browser sends one.
 */
export function requireSession(options: {
  db: Db;
  publicUrl: string;
  now: () => Date;
  refuse: (req: Request, res: Response) => void;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    consoleHeaders(res);
    const secure = isSecure(req, options.publicUrl);
    const token = readCookie(req, cookieName(secure)) ?? '';
    const session = await findSession(options.db, token, options.now());
    if (!session) {
      options.refuse(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const given = req.get('x-csrf-token') ?? (req.body as Record<string, unknown> | undefined)?.['_csrf'];
      const forged = typeof given !== 'string' || !safeEqual(given, session.csrf_token);
      if (forged || !isSameOrigin(req, options.publicUrl)) {
        res.status(403).type('text/plain').send('Refused: this form is stale or came from another site.');
        return;
      }
    }
    res.locals.console = { session, sessionToken: token } satisfies ConsoleLocals;
    next();
  };
}

/**
 * No caching of console pages, and a referrer policy under which the browser names our origin on its
 * form posts (helmet's no-referrer makes Chromium send `Origin: null`, which says nothing).
 */
export function consoleHeaders(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'same-origin');
}

/** The Origin header, when the browser sends one, must be ours. */
export function isSameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  return origin === `${req.protocol}://${req.get('host')}` || origin === new URL(publicUrl).origin;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
