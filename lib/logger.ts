import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Paths pino blanks out: tokens, secrets and auth headers never reach a log line. */
export const redactedPaths = [
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
 * The one root logger of a process; subsystems take `logger.child({ subsystem })`. `pretty` writes human
 * lines (pino-pretty, synchronously to stdout) for a person at a terminal; otherwise JSON lines, one per
 * entry, for containers and log collectors. Redaction applies to both.
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream; pretty?: boolean } = {},
): Logger {
  const destination =
    options.destination ??
    (options.pretty
      ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true })
      : undefined);
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}
