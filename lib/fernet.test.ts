import { describe, expect, it } from 'vitest';
import { createFernet, FernetError, generateFernetKey } from './fernet.ts';

// Test vectors of the Fernet spec (github.com/fernet/spec: generate.json, verify.json, invalid.json).
const secret = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const specToken =
  'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==';
const iv = Buffer.from(Array.from({ length: 16 }, (_, i) => i));

const invalid: { desc: string; token: string; now: string }[] = [
  {
    desc: 'incorrect mac',
    token: 'rn9hs9yS0GVWjk4hH822VIwQUWz-_WZWCLzsD7SgV2IAAAAAHcCesAABAgMEBQYHCAkKCwwNDg8tNtXKRlVimf3hMAhjOASy',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'too short',
    token: '91GVdgz7jmWR6vJiViEA4u-LhVMhCSr87INSeFwwkYAAAAAAHcCesAABAgMEBQYHCAkKCw==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'invalid base64',
    token: '%%%%%%%%%%%j-ztUarjDIfllJBmLiBMjfcmZesHVIhcAAAAAHcCesAABAgMEBQYHCAkKCwwNDg8tNtXKRlVimf3hMAhjOASy',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'payload size not multiple of block size',
    token: 'r-pDJRzyfnW4rYfh-gZek3qA3lnFG8fGaf0qgmZlPL8AAAAAHcCesAABAgMEBQYHCAkKCwwNDg8tNtXKRlVimf3hMAhjOAQ=',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'payload padding error',
    token: 'ApoqRxzlU8Z9-mPSV6ufXeIgKugRjI_-ugnnqqoCTjQAAAAAHcCesAABAgMEBQYHCAkKCwwNDg91rx5fbHkRnpZBxpOuEAjd',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'far-future TS (unacceptable clock skew)',
    token: 'M0oOEQn9ZTWz212mKeX0qRyi7-wYxJFfsmDMhRazEeAAAAAAVigfvAABAgMEBQYHCAkKCwwNDg8tNtXKRlVimf3hMAhjOASy',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'expired TTL',
    token: '2woUxqnnpRAj-ztUarjDIfllJBmLiBMjfcmZesHVIhcAAAAAHcCesAABAgMEBQYHCAkKCwwNDg8tNtXKRlVimf3hMAhjOASy',
    now: '1985-10-26T01:21:01-07:00',
  },
  {
    desc: 'incorrect IV (causes padding error)',
    token: 'fe5sCHPyF13H837yvtc65xAlWfXXP3fEUX_jMiB74EwAAAAAHcCesHV0d3ZxcHNyfXx_fnl4e3otNtXKRlVimf3hMAhjOASy',
    now: '1985-10-26T01:20:01-07:00',
  },
];

describe('Fernet', () => {
  it('generates the spec token byte for byte (generate.json)', () => {
    const fernet = createFernet([secret]);
    expect(fernet.encrypt('hello', { now: new Date('1985-10-26T01:20:00-07:00'), iv })).toBe(specToken);
  });

  it('verifies the spec token with its ttl (verify.json)', () => {
    const fernet = createFernet([secret]);
    expect(fernet.decrypt(specToken, { ttlSeconds: 60, now: new Date('1985-10-26T01:20:01-07:00') })).toBe(
      'hello',
    );
  });

  it.each(invalid)('rejects the spec’s invalid token: $desc', ({ token, now }) => {
    const fernet = createFernet([secret]);
    expect(() => fernet.decrypt(token, { ttlSeconds: 60, now: new Date(now) })).toThrow(FernetError);
  });

  it('rejects expiry, future dates and tampering on tokens of its own', () => {
    const fernet = createFernet([secret]);
    const made = new Date('2026-01-01T00:00:00Z');
    const token = fernet.encrypt('refresh-token-value', { now: made });
    expect(() => fernet.decrypt(token, { ttlSeconds: 60, now: new Date('2026-01-01T00:01:01Z') })).toThrow(
      /expired/,
    );
    expect(() => fernet.decrypt(token, { now: new Date('2025-12-31T23:58:00Z') })).toThrow(/future/);
    const bytes = Buffer.from(token, 'base64url');
    bytes[30] = bytes[30]! ^ 1;
    expect(() => fernet.decrypt(bytes.toString('base64url'), { now: made })).toThrow(/signature/);
  });

  it('rotates keys: encrypts with the first, decrypts with any', () => {
    const oldKey = generateFernetKey();
    const newKey = generateFernetKey();
    const before = createFernet([oldKey]).encrypt('access');
    const rotated = createFernet([newKey, oldKey]);
    expect(rotated.decrypt(before)).toBe('access');
    const after = rotated.encrypt('access');
    expect(() => createFernet([oldKey]).decrypt(after)).toThrow(FernetError);
    expect(createFernet([newKey]).decrypt(after)).toBe('access');
  });

  it('names a bad key by position, never by value', () => {
    expect(() => createFernet([generateFernetKey(), 'not-a-key-value'])).toThrow('key 2 is not a Fernet key');
    try {
      createFernet(['not-a-key-value']);
    } catch (error) {
      expect(String(error)).not.toContain('not-a-key-value');
    }
  });
});
