import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../lib/config.ts';

/** How long a download link works. */
export const exportLinkLifetimeMs = 24 * 3600_000;

/**
 * The key that signs download links, derived from a secret the installation already has (the token
 * encryption key, else the Discord bot token), so no setting is added and a link cannot be forged
 * without it. Null when neither is configured: exports then go by attachment or the CLI only.
 */
export function exportLinkKey(config: Config): Buffer | null {
  const secret = config.tokenEncryptionKeys?.[0] ?? config.discord?.token ?? null;
  if (!secret) return null;
  return createHmac('sha256', secret).update('threshold export download links').digest();
}

/** `<export id>.<expiry, epoch seconds>.<HMAC>`: names one stored export until its expiry. */
export function signExportToken(key: Buffer, exportId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${exportId}.${expires}.${signature(key, exportId, expires)}`;
}

export type TokenCheck = { ok: true; exportId: string } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyExportToken(key: Buffer, token: string, now: Date): TokenCheck {
  const match = /^(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, exportId, expiresText, given] = match as unknown as [string, string, string, string];
  const expires = Number(expiresText);
  const expected = Buffer.from(signature(key, exportId, expires));
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, reason: 'invalid' };
  if (expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, exportId };
}

export function exportLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/exports/${token}`;
}

function signature(key: Buffer, exportId: string, expires: number): string {
  return createHmac('sha256', key).update(`export:${exportId}:${expires}`).digest('base64url');
}
