import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { localDate } from '../../lib/local-time.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { digestAdvice } from '../digest/digest-advice-source.ts';
import { buildDigest } from '../digest/digest-message.ts';
import { requireAthlete } from '../require-athlete.ts';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('digest')
    .setDescription('Preview today’s daily form digest now')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  defer: true,
  execute: async ({ invoker }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const today = localDate(ctx.now(), athlete.timezone);
    const digest = await buildDigest(ctx, athlete, today, digestAdvice(ctx));
    const schedule = athlete.digest_enabled
      ? `It arrives by DM every day at ${athlete.digest_time} (${athlete.timezone}).`
      : 'The daily DM is off: `/settings digest:true` turns it on.';
    return { ...digest, content: `${digest.content ?? ''}\n-# Preview. ${schedule}`.trim() };
  },
});
