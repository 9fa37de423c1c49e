import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { ensureAthlete } from '../../db/queries/athletes.ts';
import { createImportLink, importLinkLifetimeMs } from '../../imports/upload-links.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('import')
    .setDescription('Import your whole Strava history from its bulk export ZIP (no Strava connection needed)')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async ({ invoker }, ctx) => {
    const athlete = await ensureAthlete(ctx.db, invoker.userId);
    const link = await createImportLink(ctx.db, ctx.config, athlete.id, invoker.userId, ctx.now());
    return {
      content: [
        '📦 **Import your Strava export.** In Strava: Settings → My Account → *Download or Delete Your Account* → *Request your archive*. Strava emails you a ZIP.',
        `Upload that ZIP on the page below (the file is too large for Discord). The link works once, for ${importLinkLifetimeMs / 60_000} minutes, and only for you.`,
        'I’ll DM you progress while it imports; workouts you already have here are matched, not doubled.',
      ].join('\n'),
      components: [[{ kind: 'link', label: 'Upload your export', url: link.url }]],
    };
  },
});
