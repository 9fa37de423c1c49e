import { UsageError } from '../command.ts';

export function discordUserId(value: string): string {
  if (!/^\d{17,20}$/.test(value)) throw new UsageError(`"${value}" is not a Discord user id (17–20 digits)`);
  return value;
}

export function positiveInt(
  name: string,
  value: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  }
  return Number(value);
}
