/** Largest file accepted as sent (a 10-hour FIT file is a few MB; TCX a few tens). */
export const maxActivityFileBytes = 25 * 1024 * 1024;
