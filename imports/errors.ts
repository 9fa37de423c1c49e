/** A file that cannot be read at all (wrong type, hostile, empty); the message says why, for the athlete. */
export class ActivityFileError extends Error {
  override name = 'ActivityFileError';
}
