import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { stravaActivityCounts } from '../../db/queries/activities.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { disconnectStrava } from '../../ingest/connect/disconnect.ts';
import { AppError } from '../../lib/errors.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import type { Reply } from '../../lib/presentation/reply.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('disconnect')
    .setDescription('Disconnect Strava and delete the data Threshold holds from it')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async ({ invoker }, ctx) => {
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    if (!athlete?.strava_athlete_id)
      return { content: 'Strava is not connected, so there is nothing to disconnect.' };
    const counts = await stravaActivityCounts(ctx.db, athlete.id);
    return {
      embeds: [
        {
          title: 'Disconnect Strava?',
          color: 0xcf222e,
          description: [
            'Threshold will revoke its access at Strava and delete its Strava tokens. Then either:',
            `• **Delete everything**: your ${counts.activities} Strava activities, their ${counts.streams} stream sets and every number computed from them; your fitness chart is recomputed without them.`,
            `• **Keep my numbers**: the ${counts.streams} stream sets and Strava’s raw activity data are deleted; each activity’s computed stress and metrics, and your fitness chart, stay.`,
            'Uploaded files and imports are not touched either way.',
          ].join('\n'),
        },
      ],
      components: [
        [
          {
            kind: 'action',
            label: 'Delete everything',
            customId: 'disconnect:confirm:delete',
            style: 'danger',
          },
          { kind: 'action', label: 'Keep my numbers', customId: 'disconnect:confirm:keep', style: 'primary' },
          { kind: 'action', label: 'Cancel', customId: 'disconnect:cancel', style: 'secondary' },
        ],
      ],
    };
  },
  button: async ({ invoker, action, args }, ctx): Promise<Reply> => {
    if (action === 'cancel') return { content: 'Nothing changed; Strava stays connected.', components: [] };
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    if (!athlete?.strava_athlete_id) return { content: 'Strava is already disconnected.', components: [] };
    if (!ctx.strava) {
      throw new AppError('unavailable', {
        message: 'strava not configured',
        userMessage: 'Strava is not configured here right now.',
      });
    }
    const keepDerived = args[0] === 'keep';
    const result = await disconnectStrava(
      {
        db: ctx.db,
        cipher: ctx.strava.cipher,
        deauthorize: ctx.strava.oauth.deauthorize,
        logger: ctx.logger,
      },
      athlete.id,
      // The recompute is queued below: the reply does not wait for it.
      { keepDerived, alreadyRevoked: false, recompute: false },
    );
    if (result.recomputeFrom) {
      await ctx.boss.send(
        jobNames.recompute,
        { athleteId: athlete.id, from: result.recomputeFrom, reanalyze: false },
        { priority: priorities.interactive },
      );
    }
    return {
      embeds: [
        {
          title: 'Strava disconnected',
          color: 0x2da44e,
          description: keepDerived
            ? `Access revoked and tokens deleted. ${result.streamsDeleted} stream sets deleted; your computed numbers stay.`
            : `Access revoked and tokens deleted. ${result.activitiesDeleted} activities and ${result.streamsDeleted} stream sets deleted; your fitness chart is being recomputed.`,
          footer: result.deauthorizedAtStrava
            ? undefined
            : 'Strava did not answer the revocation; the tokens are deleted here regardless.',
        },
      ],
      components: [],
    };
  },
});
