import type { SlashCommandIntegerOption } from 'discord.js';
import { z } from 'zod';

export interface DayCountLimits {
  min: number;
  max: number;
  default: number;
}

/** A `days` option's zod schema: whole days within the limits, with the range in the message. */
export function dayCountSchema(limits: DayCountLimits) {
  const range = `days must be between ${limits.min} and ${limits.max}`;
  return z
    .number()
    .int('days must be a whole number')
    .min(limits.min, range)
    .max(limits.max, range)
    .default(limits.default);
}

/** The same option as Discord shows it: Discord enforces the range in the client too. */
export function dayCountOption(limits: DayCountLimits, description: string) {
  return (option: SlashCommandIntegerOption) =>
    option
      .setName('days')
      .setDescription(`${description} (default ${limits.default})`)
      .setMinValue(limits.min)
      .setMaxValue(limits.max);
}
