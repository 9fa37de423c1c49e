import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { pmcChartConfig } from '../../charts/pmc-chart.ts';
import { loadSeries } from '../../db/queries/daily-load.ts';
import { num, signed } from '../../lib/format.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import { fitnessFall, fitnessFallText } from '../../planning/forecast.ts';
import { forecastForAthlete } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { dayCountOption, dayCountSchema } from '../day-count-option.ts';
import { requireAthlete } from '../require-athlete.ts';
import { formEmbed, formFacts } from '../views/form-view.ts';

const formDays = { min: 14, max: 365, default: 90 } as const;

const Options = z.object({ days: dayCountSchema(formDays) });

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('form')
    .setDescription('Your form today: fitness, fatigue, form and the PMC chart')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addIntegerOption(dayCountOption(formDays, 'How many days the chart shows'))
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
    // Planned workouts and a race goal carry the chart forward, dashed, from today.
    const forecast = await forecastForAthlete(ctx.db, athlete, today);
    const history = forecast ? series.filter((day) => day.date < today) : series;
    const png = await ctx.charts.renderSpec(
      pmcChartConfig({
        days: history.map((day) => ({
          date: day.date,
          ctl: day.ctl,
          atl: day.atl,
          tsb: day.tsb,
          stress: day.stress,
        })),
        ...(forecast ? { forecast: forecast.days, goal: forecast.goal } : {}),
        title: `Fitness, fatigue and form — last ${options.days} days${forecast ? ' and the plan ahead' : ''}`,
      }),
    );
    const embed = formEmbed(facts, 'attachment://pmc.png');
    const goalDay = forecast?.goal ? forecast.days.find((d) => d.date === forecast.goal!.date) : undefined;
    if (forecast?.goal && goalDay) {
      const target =
        forecast.goal.target_tsb !== null ? ` (target ${signed(forecast.goal.target_tsb, 0)})` : '';
      // Fitness the forecast starts from: yesterday's, as the forecast does.
      const startCtl = series.filter((day) => day.date < today).at(-1)?.ctl ?? 0;
      const fall = fitnessFall(startCtl, goalDay.ctl);
      embed.fields = [
        ...(embed.fields ?? []),
        {
          name: `Goal: ${forecast.goal.name}, ${forecast.goal.date}`,
          value: `Forecast on the day: form ${signed(goalDay.tsb, 1)}${target}, fitness ${num(goalDay.ctl, 1)}, fatigue ${num(goalDay.atl, 1)} — from your planned workouts.${fall ? `\n${fitnessFallText(fall, athlete.forecast_unplanned === 'zero')}` : ''}`,
        },
      ];
    }
    return {
      embeds: [embed],
      files: [{ name: 'pmc.png', data: png, description: 'Performance Management Chart' }],
    };
  },
});
