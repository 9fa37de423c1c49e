import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { requireAthlete } from '../require-athlete.ts';

/** One export at a time per athlete: a second /export within this window is the same job. */
const oneExportPerSeconds = 120;

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('export')
    .setDescription(
      'Get all your data (activities, metrics, training load, plans, coach chat) as a ZIP by DM',
    )
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async ({ invoker }, ctx) => {
    await requireAthlete(ctx, invoker.userId);
    await ctx.boss.send(
      jobNames.dataExport,
      { discordUserId: invoker.userId },
      {
        priority: priorities.interactive,
        singletonKey: invoker.userId,
        singletonSeconds: oneExportPerSeconds,
      },
    );
    return {
      content:
        '📦 Preparing your data export: everything Threshold stores about you, as JSON and CSV in a ZIP. I’ll DM it to you in a moment (as a one-time download link if it is too large for Discord).',
    };
  },
});
