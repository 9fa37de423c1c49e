import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('log redaction', () => {
  it('replaces the secret segment of each route that carries one, and every query string', () => {
    expect(scrubSecrets('/strava/webhook/s3cret-path-segment-123')).toBe('/strava/webhook/[redacted]');
    expect(scrubSecrets('POST /strava/webhook/abc/extra')).toBe('POST /strava/webhook/[redacted]/extra');
    expect(scrubSecrets('/strava/connect/st4te')).toBe('/strava/connect/[redacted]');
    expect(scrubSecrets('/strava/callback?code=c0de&state=st4te')).toBe('/strava/callback?[redacted]');
    expect(scrubSecrets('/imports/upload/12.1796.sig')).toBe('/imports/upload/[redacted]');
    expect(scrubSecrets('/imports/upload.js')).toBe('/imports/upload.js');
    expect(scrubSecrets('https://host/exports/9.1796.sig')).toBe('https://host/exports/[redacted]');
    expect(scrubSecrets('GET https://x/api/v3/push_subscriptions?client_secret=s fail')).toBe(
      'GET https://x/api/v3/push_subscriptions?[redacted] fail',
    );
    // Prose with a question mark but no path stays as it is.
    expect(scrubSecrets('how is my form?')).toBe('how is my form?');
  });

  it('scrubs the message, fields, nested values, child bindings and errors, keeping the error type', () => {
    const { logger, lines } = capture();
    class StravaUnavailableError extends Error {
      override name = 'StravaUnavailableError';
    }
    logger.child({ path: '/exports/1.2.sig' }).error(
      {
        url: '/strava/webhook/secret-one',
        nested: { links: ['/strava/connect/state-two'] },
        err: new StravaUnavailableError('GET /oauth/token?refresh_token=r3fresh failed'),
      },
      'request to /imports/upload/7.8.tok failed',
    );
    const [line] = lines;
    const text = JSON.stringify(line);
    for (const secret of ['1.2.sig', 'secret-one', 'state-two', 'r3fresh', '7.8.tok'])
      expect(text).not.toContain(secret);
    expect(line).toMatchObject({
      path: '/exports/[redacted]',
      url: '/strava/webhook/[redacted]',
      nested: { links: ['/strava/connect/[redacted]'] },
      err: { type: 'StravaUnavailableError', message: 'GET /oauth/token?[redacted] failed' },
      msg: 'request to /imports/upload/[redacted] failed',
    });
    expect((line!.err as { stack: string }).stack).toContain('/oauth/token?[redacted]');
  });
});
