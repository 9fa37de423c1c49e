import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** Paths pino blanks out: tokens, secrets and auth headers never reach a log line. */
const redactedPaths = [
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

/**
 * Path segments that are secrets or one-time tokens: the webhook secret, the connect state, and the
 * upload and export links. The segment after each prefix is replaced.
 */
const secretSegment =
  /\/(strava\/webhook|strava\/connect|imports\/upload|exports)\/(?!upload\.js\b)[^/?#\s"'<>]+/g;
/** A query string after a path or URL (OAuth codes and states, client credentials): never logged. */
const queryString = /(\/[^\s?"'<>]*)\?[^\s"'<>#]+/g;

/** One string with every secret path segment and query string replaced. */
export function scrubSecrets(text: string): string {
  if (!text.includes('/')) return text;
  return text.replace(secretSegment, '/$1/[redacted]').replace(queryString, '$1?[redacted]');
}

/** A copy of a log value with secrets scrubbed from its strings (errors included), a few levels deep. */
function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Error) {
    // Still an Error of its class (pino's serializer names its type), with message, stack and cause scrubbed.
    const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value))
      copy[key] = scrubValue((value as unknown as Record<string, unknown>)[key], depth + 1);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[key] = scrubValue(v, depth + 1);
  return copy;
}

/**
 * The one root logger of a process; subsystems take `logger.child({ subsystem })`. Every line passes one
 * redaction: secret keys blanked (`redactedPaths`), and secret path segments, one-time tokens and query
 * strings scrubbed from every string — the message, fields, nested objects and errors' messages and stacks.
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream; pretty?: boolean } = {},
): Logger {
  // `pretty` writes human lines (pino-pretty, synchronously to stdout) for a person at a terminal;
  // otherwise JSON lines, one per entry, for containers and log collectors. Redaction applies to both.
  const destination =
    options.destination ??
    (options.pretty
      ? loadPretty()({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true })
      : undefined);
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      formatters: {
        log: (object) => scrubValue(object, 0) as Record<string, unknown>,
        bindings: (bindings) => scrubValue(bindings, 0) as Record<string, unknown>,
      },
      // Children's bindings skip the formatters; these keys are where a URL or path goes.
      serializers: Object.fromEntries(
        ['path', 'url', 'callbackUrl', 'link', 'location'].map((key) => [
          key,
          (v: unknown) => scrubValue(v, 0),
        ]),
      ),
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** pino-pretty loads only for a person at a terminal: containers and services never hold it. */
function loadPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}
