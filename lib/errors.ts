/** Codes each edge maps to its own answer (HTTP status, Discord reply, CLI exit code). */
export type AppErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'not_connected'
  | 'needs_reauth'
  | 'missing_threshold'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** One error type: `message` is for the log, `userMessage` is safe to show the athlete. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: AppErrorCode;
  readonly userMessage: string;
  constructor(code: AppErrorCode, options: { message: string; userMessage?: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.code = code;
    this.userMessage = options.userMessage ?? options.message;
  }
}

export const httpStatusOf: Record<AppErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  not_connected: 409,
  needs_reauth: 409,
  missing_threshold: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};
