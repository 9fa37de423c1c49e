import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { findConnection } from '../../db/queries/strava-connections.ts';
import { createConnectLink } from '../../ingest/connect/connect-links.ts';
import { AppError } from '../../lib/errors.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';

/** Strava's brand guidelines ask for this exact call to action on the link to their authorize page. */
const connectLabel = 'Connect with Strava';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('connect')
    .setDescription('Connect your Strava account (or see its status)')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async ({ invoker }, ctx) => {
    if (!ctx.config.strava) {
      throw new AppError('unavailable', {
        message: 'strava not configured',
        userMessage:
          'This Threshold installation has no Strava application configured yet; ask its operator.',
      });
    }
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    const connection = athlete ? await findConnection(ctx.db, athlete.id) : undefined;
    const link = await createConnectLink(ctx.db, ctx.config.publicUrl, invoker.userId);
    const button = {
      kind: 'link' as const,
      label: connection ? 'Reconnect with Strava' : connectLabel,
      url: link.url,
    };
    if (connection) {
      const healthy = connection.status === 'active';
      return {
        embeds: [
          {
            title: healthy ? 'Strava is connected' : 'Strava needs you to reconnect',
            color: healthy ? 0x2da44e : 0xcf222e,
            description: healthy
              ? `Connected${athlete?.name ? ` as **${athlete.name}**` : ''} with access to your activities. New workouts arrive by themselves.`
              : 'Strava stopped accepting Threshold’s access, so new activities are not arriving. Reconnect below; nothing is lost.',
            fields: [{ name: 'Scope', value: connection.scope }],
            footer: 'The link works once, for 10 minutes. Powered by Strava',
          },
        ],
        components: [[button]],
      };
    }
    return {
      embeds: [
        {
          title: 'Connect your Strava account',
          color: 0xfc4c02,
          description:
            'Threshold reads your activities (including private ones, so your training load is complete) and never posts anything. Your data is shown only to you.',
          footer: 'The link works once, for 10 minutes. Powered by Strava',
        },
      ],
      components: [[button]],
    };
  },
});
