import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { pmcChartConfig } from '../../charts/pmc-chart.ts';
import { loadSeries } from '../../db/queries/load-series.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { requireAthlete } from '../require-athlete.ts';
import { formEmbed, formFacts } from '../views/form-view.ts';

export const formDays = { min: 14, max: 365, default: 90 } as const;

const Options = z.object({
  days: z
    .number()
    .int('days must be a whole number')
    .min(formDays.min, `days must be between ${formDays.min} and ${formDays.max}`)
    .max(formDays.max, `days must be between ${formDays.min} and ${formDays.max}`)
    .default(formDays.default),
});

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('form')
    .setDescription('Your form today: fitness, fatigue, form and the PMC chart')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addIntegerOption((o) =>
      o
        .setName('days')
        .setDescription(`How many days the chart shows (default ${formDays.default})`)
        .setMinValue(formDays.min)
        .setMaxValue(formDays.max),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const today = localDate(ctx.now(), athlete.timezone);
    const series = await loadSeries(ctx.db, athlete, addDays(today, -(options.days - 1)), today);
    const facts = formFacts(series);
    if (!facts) {
      return {
        content:
          'No training load yet. Import your history with `/sync count:100`, or `/upload` a workout file.',
      };
    }
    const png = await ctx.charts.renderSpec(
      pmcChartConfig({
        days: series.map((day) => ({
          date: day.date,
          ctl: day.ctl,
          atl: day.atl,
          tsb: day.tsb,
          stress: day.stress,
        })),
        title: `Fitness, fatigue and form — last ${options.days} days`,
      }),
    );
    return {
      embeds: [formEmbed(facts, 'attachment://pmc.png')],
      files: [{ name: 'pmc.png', data: png, description: 'Performance Management Chart' }],
    };
  },
});
