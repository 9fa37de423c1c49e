import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { powerCurveChartConfig } from '../../charts/power-curve-chart.ts';
import { powerCurveForPeriod } from '../../db/queries/training.ts';
import { addDays, localDate } from '../../lib/local-time.ts';
import { durationLabel } from '../../lib/presentation/units.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { dayCountOption, dayCountSchema } from '../day-count-option.ts';
import { requireAthlete } from '../require-athlete.ts';

const curveDays = { min: 7, max: 3650, default: 90 } as const;
const keyDurations = [5, 15, 60, 300, 1200, 3600];

const Options = z.object({ days: dayCountSchema(curveDays) });

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('curve')
    .setDescription('Your power-duration curve for a period, against your all-time bests')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addIntegerOption(dayCountOption(curveDays, 'The period: the last N days'))
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const today = localDate(ctx.now(), athlete.timezone);
    const from = addDays(today, -(options.days - 1));
    const [period, allTime] = await Promise.all([
      powerCurveForPeriod(ctx.db, athlete.id, from, today),
      powerCurveForPeriod(ctx.db, athlete.id, null, null),
    ]);
    if (allTime.length === 0) {
      return {
        content:
          'No power data yet: the curve needs rides (or runs) recorded with a power meter. `/sync` imports them.',
      };
    }
    const periodLabel = `Last ${options.days} days`;
    const png = await ctx.charts.renderSpec(
      powerCurveChartConfig({
        period,
        allTime,
        periodLabel,
        title: `Power-duration curve — ${periodLabel.toLowerCase()}`,
      }),
    );
    const at = (curve: [number, number][], seconds: number) =>
      curve.find(([s]) => s === seconds)?.[1] ?? null;
    const lines = keyDurations.flatMap((seconds) => {
      const best = at(allTime, seconds);
      if (best === null) return [];
      const now = at(period, seconds);
      const share = now !== null && best > 0 ? ` (${Math.round((now / best) * 100)} % of best)` : '';
      return [
        `**${durationLabel(seconds)}** ${now !== null ? `${Math.round(now)} W` : '—'}${share} · best ${Math.round(best)} W`,
      ];
    });
    return {
      embeds: [
        {
          title: `Power-duration curve, ${periodLabel.toLowerCase()}`,
          description:
            period.length === 0
              ? `No power data in the last ${options.days} days; the dashed line is your all-time curve.`
              : lines.join('\n'),
          color: 0xfaa61a,
          image: 'attachment://curve.png',
          footer: 'Solid: this period · dashed: all-time bests',
        },
      ],
      files: [{ name: 'curve.png', data: png, description: 'Power-duration curve' }],
    };
  },
});
