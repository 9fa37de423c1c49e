import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Fernet (https://github.com/fernet/spec): AES-128-CBC + HMAC-SHA256 tokens,
 * `base64url(0x80 ‖ timestamp(8, BE) ‖ IV(16) ‖ ciphertext ‖ HMAC(32))`.
 * Several keys allow rotation: the first encrypts, any decrypts.
 */
export interface Fernet {
  encrypt: (plaintext: string, options?: { now?: Date; iv?: Buffer }) => string;
  /** Throws `FernetError` for a malformed, forged, expired (ttl) or future-dated token. */
  decrypt: (token: string, options?: { ttlSeconds?: number; now?: Date }) => string;
}

export class FernetError extends Error {
  override name = 'FernetError';
}

const version = 0x80;
/** The spec's allowance for clocks that disagree: tokens from up to 60 s in the future are accepted. */
const maxClockSkewSeconds = 60;

export function generateFernetKey(): string {
  return randomBytes(32).toString('base64url').replace(/$/, '=');
}

interface Key {
  signing: Buffer;
  encryption: Buffer;
}

function parseKey(text: string, position: number): Key {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9_-]+=*$/.test(trimmed) ? Buffer.from(trimmed, 'base64url') : Buffer.alloc(0);
  if (bytes.length !== 32) {
    throw new FernetError(`key ${position + 1} is not a Fernet key (32 bytes of URL-safe base64)`);
  }
  return { signing: bytes.subarray(0, 16), encryption: bytes.subarray(16) };
}

export function createFernet(keys: string[]): Fernet {
  if (keys.length === 0) throw new FernetError('at least one key is needed');
  const parsed = keys.map(parseKey);
  const primary = parsed[0]!;
  return {
    encrypt: (plaintext, options = {}) => {
      const iv = options.iv ?? randomBytes(16);
      if (iv.length !== 16) throw new FernetError('IV must be 16 bytes');
      const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000);
      const header = Buffer.alloc(9);
      header[0] = version;
      header.writeBigUInt64BE(BigInt(timestamp), 1);
      const cipher = createCipheriv('aes-128-cbc', primary.encryption, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const signed = Buffer.concat([header, iv, ciphertext]);
      const mac = createHmac('sha256', primary.signing).update(signed).digest();
      return Buffer.concat([signed, mac]).toString('base64url') + padding(signed.length + 32);
    },
    decrypt: (token, options = {}) => {
      const data = decodeToken(token);
      const signed = data.subarray(0, data.length - 32);
      const mac = data.subarray(data.length - 32);
      const key = parsed.find((candidate) => {
        const expected = createHmac('sha256', candidate.signing).update(signed).digest();
        return timingSafeEqual(expected, mac);
      });
      if (!key) throw new FernetError('token signature does not match any key');
      const timestamp = Number(data.readBigUInt64BE(1));
      const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
      if (timestamp - now > maxClockSkewSeconds) throw new FernetError('token is dated in the future');
      if (options.ttlSeconds !== undefined && now - timestamp > options.ttlSeconds)
        throw new FernetError('token has expired');
      const iv = data.subarray(9, 25);
      const ciphertext = data.subarray(25, data.length - 32);
      try {
        const decipher = createDecipheriv('aes-128-cbc', key.encryption, iv);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new FernetError('token payload does not decrypt');
      }
    },
  };
}

function decodeToken(token: string): Buffer {
  if (!/^[A-Za-z0-9_-]+=*$/.test(token)) throw new FernetError('token is not URL-safe base64');
  const data = Buffer.from(token, 'base64url');
  // version + timestamp + IV + at least one cipher block + HMAC
  if (data.length < 1 + 8 + 16 + 16 + 32) throw new FernetError('token is too short');
  if (data[0] !== version) throw new FernetError('unknown token version');
  if ((data.length - 1 - 8 - 16 - 32) % 16 !== 0)
    throw new FernetError('token payload is not whole cipher blocks');
  return data;
}

/** base64url without padding plus the `=` padding the spec's tokens carry. */
function padding(byteLength: number): string {
  const remainder = byteLength % 3;
  return remainder === 0 ? '' : '='.repeat(3 - remainder);
}
