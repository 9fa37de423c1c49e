import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/context.ts';
import {
  consumeLoginLink,
  createLoginLink,
  createSession,
  findSession,
  loginLinkLifetimeMs,
  passwordMatches,
  sessionCookie,
  sessionLifetimeMs,
} from './auth.ts';

describe('console login', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a printed link logs in once, and only its hash is stored', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const link = await createLoginLink(database.db, 'https://coach.example', now);
    expect(link).toMatch(/^https:\/\/coach\.example\/console\/login\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link).searchParams.get('token')!;
    const stored = await database.db.selectFrom('console_login_links').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
    expect(await consumeLoginLink(database.db, token, now)).toBe(true);
    expect(await consumeLoginLink(database.db, token, now)).toBe(false);
  });

  it('a link expires after 24 hours', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const token = new URL(await createLoginLink(database.db, 'http://localhost:3000', now)).searchParams.get(
      'token',
    )!;
    expect(
      await consumeLoginLink(database.db, token, new Date(now.getTime() + loginLinkLifetimeMs + 1)),
    ).toBe(false);
  });

  it('a session expires after 12 hours', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const { token, csrf } = await createSession(database.db, now);
    expect((await findSession(database.db, token, now))?.csrf_token).toBe(csrf);
    expect(
      await findSession(database.db, token, new Date(now.getTime() + sessionLifetimeMs - 1000)),
    ).not.toBeNull();
    expect(await findSession(database.db, token, new Date(now.getTime() + sessionLifetimeMs + 1))).toBeNull();
    expect(await findSession(database.db, '', now)).toBeNull();
  });

  it('cookies are Secure with the __Host- prefix behind HTTPS, HttpOnly and SameSite=Strict always', () => {
    expect(sessionCookie('abc', true, 3_600_000)).toBe(
      '__Host-threshold-console=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure',
    );
    expect(sessionCookie('abc', false, 3_600_000)).toBe(
      'threshold-console=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600',
    );
  });

  it('the password compares whole, and an unset password never matches', () => {
    expect(passwordMatches('correct horse battery', 'correct horse battery')).toBe(true);
    expect(passwordMatches('correct horse batter', 'correct horse battery')).toBe(false);
    expect(passwordMatches('', null)).toBe(false);
  });
});
