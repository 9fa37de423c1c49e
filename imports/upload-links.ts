import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import { insertExportImport } from '../db/queries/export-imports.ts';
import type { Config } from '../lib/config.ts';
import { AppError } from '../lib/errors.ts';

export const importLinkLifetimeMs = 60 * 60_000;

/**
 * The key that signs import links, derived from a secret the operator already has (the token encryption
 * key, else the Strava webhook secret, else the Discord token), so no new setting is needed.
 */
function linkKey(config: Config): Buffer | null {
  const secret = config.tokenEncryptionKeys?.[0] ?? config.strava?.webhookSecret ?? config.discord?.token;
  if (!secret) return null;
  return createHmac('sha256', secret).update('threshold/import-upload-link/v1').digest();
}

function sign(key: Buffer, importId: string, expiresS: number): string {
  return createHmac('sha256', key).update(`${importId}.${expiresS}`).digest('base64url');
}

/**
 * A one-time upload link for a Strava export: a new import waiting for its upload, and a URL signed with
 * HMAC over the import id and expiry. Single use is enforced by the import's state, not the signature.
 */
export async function createImportLink(
  db: Db,
  config: Config,
  athleteId: string,
  notifyDiscordUserId: string | null,
  now = new Date(),
): Promise<{ url: string; expiresAt: Date; importId: string }> {
  const key = linkKey(config);
  if (!key) {
    throw new AppError('unavailable', {
      message: 'no secret configured to sign import links',
      userMessage:
        'Export uploads are not set up on this server yet; ask the operator to set TOKEN_ENCRYPTION_KEY.',
    });
  }
  const expiresAt = new Date(now.getTime() + importLinkLifetimeMs);
  const importId = await insertExportImport(db, {
    athlete_id: athleteId,
    link_expires_at: expiresAt,
    notify_discord_user_id: notifyDiscordUserId,
  });
  const expiresS = Math.floor(expiresAt.getTime() / 1000);
  const token = `${importId}.${expiresS}.${sign(key, importId, expiresS)}`;
  return { url: `${config.publicUrl}/imports/upload/${token}`, expiresAt, importId };
}

/** The import a link token names, when its signature is valid and it has not expired; otherwise null. */
export function verifyImportToken(config: Config, token: string, now = new Date()): string | null {
  const key = linkKey(config);
  const match = /^(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!key || !match) return null;
  const [, importId, expires, signature] = match;
  const expected = Buffer.from(sign(key, importId!, Number(expires)));
  const given = Buffer.from(signature!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (Number(expires) * 1000 <= now.getTime()) return null;
  return importId!;
}
