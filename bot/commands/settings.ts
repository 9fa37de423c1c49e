import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { ensureAthlete, listThresholds, setThreshold, thresholdsOn } from '../../db/queries/athletes.ts';
import type { ThresholdKind } from '../../db/tables/athlete-thresholds.ts';
import { AppError } from '../../lib/errors.ts';
import {
  metresPerMile,
  paceFromSecondsPerKm,
  swimPaceFromSecondsPer100m,
  type Units,
} from '../../lib/format.ts';
import { isValidTimeZone, localDate } from '../../lib/local-time.ts';
import { formatMinSec, parseMinSec } from '../../lib/pace.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { recomputeHistory } from '../recompute-history.ts';
import type { Reply } from '../reply.ts';

/** Plausible human ranges: a value outside is a typo, refused with the range, never stored. */
export const limits = {
  ftp: { min: 50, max: 700, unit: 'W' },
  run_ftp: { min: 50, max: 800, unit: 'W' },
  lthr: { min: 80, max: 220, unit: 'bpm' },
  max_hr: { min: 100, max: 250, unit: 'bpm' },
  rest_hr: { min: 25, max: 120, unit: 'bpm' },
  run_pace: { min: 150, max: 900, unit: 's/km' },
  swim_pace: { min: 50, max: 300, unit: 's/100m' },
} as const;

const intIn = (name: keyof typeof limits) =>
  z
    .number()
    .int(`${name} must be a whole number`)
    .min(
      limits[name].min,
      `${name} must be between ${limits[name].min} and ${limits[name].max} ${limits[name].unit}`,
    )
    .max(
      limits[name].max,
      `${name} must be between ${limits[name].min} and ${limits[name].max} ${limits[name].unit}`,
    )
    .optional();

const paceIn = (name: 'run_pace' | 'swim_pace', per: string) =>
  z
    .string()
    .transform((text, ctx) => {
      // A run pace may say "/mi" (an imperial athlete's own unit); it is stored per km.
      const perMile = name === 'run_pace' && /\s*\/\s*mi$/i.test(text.trim());
      const clock = parseMinSec(text.trim().replace(/\s*\/\s*(km|mi)$/i, ''));
      const seconds =
        clock === null ? null : perMile ? Math.round((clock / metresPerMile) * 10000) / 10 : clock;
      const { min, max } = limits[name];
      if (seconds === null || seconds < min || seconds > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be M:SS per ${per}, between ${formatMinSec(min)} and ${formatMinSec(max)}`,
        });
        return z.NEVER;
      }
      return seconds;
    })
    .optional();

const Options = z
  .object({
    ftp: intIn('ftp'),
    run_ftp: intIn('run_ftp'),
    lthr: intIn('lthr'),
    max_hr: intIn('max_hr'),
    rest_hr: intIn('rest_hr'),
    run_pace: paceIn('run_pace', 'km'),
    swim_pace: paceIn('swim_pace', '100 m'),
    sex: z.enum(['male', 'female']).optional(),
    timezone: z
      .string()
      .trim()
      .max(64)
      .refine(isValidTimeZone, 'timezone must be an IANA zone such as Europe/Paris (pick one from the list)')
      // Stored as the zone's own spelling ("europe/paris" → "Europe/Paris"), as shown everywhere after.
      .transform((zone) => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone)
      .optional(),
    units: z.enum(['metric', 'imperial']).optional(),
    digest: z.boolean().optional(),
    digest_time: z
      .string()
      .trim()
      .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'digest_time must be HH:MM in 24-hour time, e.g. 07:30')
      .transform((time) => time.padStart(5, '0'))
      .optional(),
    effective: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'effective must be a date YYYY-MM-DD')
      // Date.parse rolls 2026-02-30 over to March; only a date that reads back the same is real.
      .refine(
        (d) =>
          !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
          new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        'effective must be a real date',
      )
      .optional(),
  })
  .refine((o) => o.max_hr === undefined || o.rest_hr === undefined || o.max_hr > o.rest_hr + 20, {
    message: 'max_hr must be well above rest_hr',
    path: ['max_hr'],
  });

const thresholdOptions: Record<string, ThresholdKind> = {
  ftp: 'ftp',
  run_ftp: 'run_ftp',
  lthr: 'lthr',
  max_hr: 'max_hr',
  rest_hr: 'rest_hr',
  run_pace: 'threshold_pace',
  swim_pace: 'swim_threshold_pace',
};

const zoneNames = (() => {
  try {
    // The list leaves out UTC, which many athletes (and servers) use.
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  } catch {
    return ['UTC'];
  }
})();

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('settings')
    .setDescription('View or change your thresholds, time zone, units and daily digest')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addIntegerOption((o) =>
      o.setName('ftp').setDescription('Functional threshold power, W').setMinValue(50).setMaxValue(700),
    )
    .addIntegerOption((o) =>
      o
        .setName('run_ftp')
        .setDescription('Running functional threshold power (Stryd and the like), W')
        .setMinValue(50)
        .setMaxValue(800),
    )
    .addIntegerOption((o) =>
      o.setName('lthr').setDescription('Lactate threshold heart rate, bpm').setMinValue(80).setMaxValue(220),
    )
    .addIntegerOption((o) =>
      o.setName('max_hr').setDescription('Maximum heart rate, bpm').setMinValue(100).setMaxValue(250),
    )
    .addIntegerOption((o) =>
      o.setName('rest_hr').setDescription('Resting heart rate, bpm').setMinValue(25).setMaxValue(120),
    )
    .addStringOption((o) =>
      o
        .setName('run_pace')
        .setDescription('Threshold run pace, M:SS per km (e.g. 4:30), or per mile with /mi (e.g. 7:15/mi)')
        .setMaxLength(9),
    )
    .addStringOption((o) =>
      o
        .setName('swim_pace')
        .setDescription('Threshold swim pace, M:SS per 100 m (e.g. 1:45)')
        .setMaxLength(5),
    )
    .addStringOption((o) =>
      o
        .setName('sex')
        .setDescription('For heart-rate TRIMP weighting')
        .addChoices({ name: 'male', value: 'male' }, { name: 'female', value: 'female' }),
    )
    .addStringOption((o) =>
      o
        .setName('timezone')
        .setDescription('Your time zone, e.g. Europe/Paris')
        .setAutocomplete(true)
        .setMaxLength(64),
    )
    .addStringOption((o) =>
      o
        .setName('units')
        .setDescription('Units for distances and paces')
        .addChoices({ name: 'metric', value: 'metric' }, { name: 'imperial', value: 'imperial' }),
    )
    .addBooleanOption((o) => o.setName('digest').setDescription('Daily form digest by DM on or off'))
    .addStringOption((o) =>
      o.setName('digest_time').setDescription('Local time of the digest, HH:MM').setMaxLength(5),
    )
    .addStringOption((o) =>
      o
        .setName('effective')
        .setDescription('Date a new threshold takes effect, YYYY-MM-DD (default today)')
        .setMaxLength(10),
    )
    .toJSON(),
  options: Options,
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await ensureAthlete(ctx.db, invoker.userId);
    const timezone = options.timezone ?? athlete.timezone;
    const today = localDate(new Date(), timezone);
    const effective = options.effective ?? today;
    if (effective > today) return { content: 'effective cannot be in the future.' };
    const changes: string[] = [];
    const before = await listThresholds(ctx.db, athlete.id);
    const refusal = heartRateConflict(options, thresholdsOn(before, effective));
    if (refusal) {
      throw new AppError('bad_request', { message: `settings refused: ${refusal}`, userMessage: refusal });
    }
    let recomputeFrom: string | null = null;
    for (const [option, kind] of Object.entries(thresholdOptions)) {
      const value = options[option as keyof typeof options] as number | undefined;
      if (value === undefined) continue;
      const firstOfKind = !before.some((row) => row.kind === kind);
      await setThreshold(ctx.db, athlete.id, kind, value, effective);
      changes.push(
        `${labelOf(kind)} → ${display(kind, value, options.units ?? athlete.units)} from ${effective}`,
      );
      // A first value covers the whole history (METRICS.md), so history is recomputed at once.
      const from = firstOfKind ? '0001-01-01' : effective;
      recomputeFrom = earliest(recomputeFrom, from);
    }
    const profile: Record<string, unknown> = {};
    if (options.sex) profile.sex = options.sex;
    if (options.timezone) {
      profile.timezone = options.timezone;
      profile.timezone_chosen = true;
    }
    if (options.units) profile.units = options.units;
    if (options.digest !== undefined) {
      profile.digest_enabled = options.digest;
      if (options.digest) profile.digest_disabled_reason = null;
    }
    if (options.digest_time) profile.digest_time = options.digest_time;
    if (Object.keys(profile).length > 0) {
      await ctx.db
        .updateTable('athletes')
        .set({ ...profile, updated_at: new Date() })
        .where('id', '=', athlete.id)
        .execute();
      for (const [key, value] of Object.entries(profile))
        if (key !== 'digest_disabled_reason' && key !== 'timezone_chosen')
          changes.push(`${key} → ${String(value)}`);
      if (options.sex) recomputeFrom = '0001-01-01';
    }
    const rows = await listThresholds(ctx.db, athlete.id);
    const current = thresholdsOn(rows, today);
    const fresh = { ...athlete, ...profile } as typeof athlete;
    const reply: Reply = {
      embeds: [
        {
          title: changes.length > 0 ? 'Settings updated' : 'Your settings',
          description: changes.length > 0 ? changes.map((c) => `• ${c}`).join('\n') : undefined,
          color: 0x5865f2,
          fields: [
            ...Object.values(thresholdOptions).map((kind) => ({
              name: labelOf(kind),
              value: current[kind] !== undefined ? display(kind, current[kind]!, fresh.units) : 'not set',
              inline: true,
            })),
            { name: 'Sex', value: fresh.sex ?? 'not set (TRIMP uses the men’s weighting)', inline: true },
            { name: 'Time zone', value: fresh.timezone, inline: true },
            { name: 'Units', value: fresh.units, inline: true },
            {
              name: 'Daily digest',
              value: fresh.digest_enabled
                ? `on, at ${fresh.digest_time}`
                : `off${fresh.digest_disabled_reason ? ` (${disabledReasons[fresh.digest_disabled_reason] ?? fresh.digest_disabled_reason})` : ''}`,
              inline: true,
            },
          ],
          footer:
            'Change a value: /settings ftp:250 — thresholds are dated, so past activities keep the values of their day.',
        },
      ],
    };
    if (recomputeFrom !== null) {
      const from = recomputeFrom === '0001-01-01' ? 'all' : recomputeFrom;
      reply.components = [
        [
          {
            kind: 'action',
            label: from === 'all' ? 'Recompute all history now' : `Recompute history from ${from}`,
            customId: `settings:recompute:${from}`,
            style: 'primary',
          },
        ],
      ];
    }
    return reply;
  },
  button: async ({ invoker, action, args, progress }, ctx) => {
    if (action !== 'recompute') return { content: 'This button has expired.' };
    return recomputeHistory(ctx, { userId: invoker.userId, from: args[0] ?? 'all', progress });
  },
  autocomplete: async ({ focused }) => {
    const query = focused.value.toLowerCase().replace(/\s+/g, '_');
    return zoneNames
      .filter((zone) => zone.toLowerCase().includes(query))
      .slice(0, 25)
      .map((zone) => ({ name: zone, value: zone }));
  },
});

/** Why the digest went off, as the athlete reads it. */
const disabledReasons: Record<string, string> = {
  dms_closed: 'your DMs were closed to me; allow them, then `/settings digest:true`',
};

/**
 * Heart-rate values must also agree with the ones already stored (on the effective date): a max HR at or
 * below the resting HR, or an LTHR at or above the max, is a typo.
 */
function heartRateConflict(
  options: { max_hr?: number | undefined; rest_hr?: number | undefined; lthr?: number | undefined },
  stored: Partial<Record<ThresholdKind, number>>,
): string | null {
  const maxHr = options.max_hr ?? stored.max_hr;
  const restHr = options.rest_hr ?? stored.rest_hr;
  const lthr = options.lthr ?? stored.lthr;
  const changed = options.max_hr !== undefined || options.rest_hr !== undefined || options.lthr !== undefined;
  if (!changed) return null;
  if (maxHr !== undefined && restHr !== undefined && !(maxHr > restHr + 20)) {
    return `max_hr (${maxHr} bpm) must be well above rest_hr (${restHr} bpm).`;
  }
  if (lthr !== undefined && maxHr !== undefined && lthr >= maxHr) {
    return `lthr (${lthr} bpm) must be below max_hr (${maxHr} bpm).`;
  }
  return null;
}

export function labelOf(kind: ThresholdKind): string {
  return {
    ftp: 'FTP',
    run_ftp: 'Run FTP',
    lthr: 'LTHR',
    max_hr: 'Max HR',
    rest_hr: 'Resting HR',
    threshold_pace: 'Threshold pace',
    swim_threshold_pace: 'Swim threshold pace',
  }[kind];
}

/** A threshold as the athlete reads it: paces in their units (entered per km and per 100 m). */
export function display(kind: ThresholdKind, value: number, units: Units = 'metric'): string {
  if (kind === 'ftp' || kind === 'run_ftp') return `${Math.round(value)} W`;
  if (kind === 'threshold_pace') return paceFromSecondsPerKm(value, units);
  if (kind === 'swim_threshold_pace') return swimPaceFromSecondsPer100m(value, units);
  return `${Math.round(value)} bpm`;
}

function earliest(a: string | null, b: string): string {
  return a === null || b < a ? b : a;
}
