import { createHash } from 'node:crypto';
import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { activityWithMetrics } from '../../db/queries/activities.ts';
import { ensureAthlete } from '../../db/queries/athletes.ts';
import { queueWorkoutMessage } from '../../db/queries/workout-messages.ts';
import { isActivityFileName, readActivityFileLegs } from '../../imports/detect.ts';
import { downloadCapped } from '../../imports/download.ts';
import { importActivityFileLegs } from '../../imports/import-file.ts';
import { maxActivityFileBytes } from '../../imports/limits.ts';
import { uploadLegsReply } from '../../imports/upload-reply.ts';
import { AppError } from '../../lib/errors.ts';
import { jobNames, priorities, workoutMessageDelaySeconds } from '../../lib/jobs/job-names.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';

const Options = z.object({
  file: z.object({
    url: z.url({ protocol: /^https?$/ }),
    name: z.string().min(1).max(300),
    size: z.number().int().nonnegative(),
    contentType: z.string().nullable(),
  }),
});

/** Content types Discord may report for a workout file; anything clearly media is refused unread. */
const mediaType = /^(image|video|audio|font)\//i;

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('upload')
    .setDescription('Analyse a workout file: FIT, TCX or GPX (gzipped too)')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addAttachmentOption((o) =>
      o.setName('file').setDescription('A .fit, .tcx or .gpx file (or .gz of one)').setRequired(true),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    const { file } = options;
    // Everything Discord tells us about the attachment is checked before a byte is downloaded.
    if (/\.zip$/i.test(file.name)) {
      throw refusal(
        `${file.name} is a ZIP. For your Strava bulk export use \`/import\`; otherwise send the workout file itself.`,
      );
    }
    if (!isActivityFileName(file.name)) {
      throw refusal(
        `${file.name} is not a workout file I can read: send a .fit, .tcx or .gpx file (gzipped .gz is fine).`,
      );
    }
    if (file.size > maxActivityFileBytes) {
      throw refusal(
        `${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MB; the limit is ${maxActivityFileBytes / 1024 / 1024} MB per file.`,
      );
    }
    if (file.contentType && mediaType.test(file.contentType)) {
      throw refusal(`${file.name} arrived as ${file.contentType}, not a workout file; refused.`);
    }
    const bytes = await downloadCapped(file.url, maxActivityFileBytes, { what: file.name });
    const legs = await readActivityFileLegs(bytes, file.name);
    const athlete = await ensureAthlete(ctx.db, invoker.userId);
    const stored = await importActivityFileLegs(ctx, athlete, {
      source: 'file_upload',
      sourceRef: createHash('sha256').update(bytes).digest('hex'),
      fileName: file.name,
      legs,
    });
    const summaries = await Promise.all(
      stored.map(async (leg, index) => {
        const { activity, metrics } = await activityWithMetrics(ctx.db, leg.activityId);
        return {
          fileName: file.name,
          parsed: legs[index]!,
          stored: leg,
          activity,
          metrics,
          units: athlete.units,
        };
      }),
    );
    ctx.logger.info(
      {
        athleteId: athlete.id,
        activityIds: stored.map((leg) => leg.activityId),
        statuses: stored.map((leg) => leg.status),
        format: legs[0]!.format,
      },
      'activity file uploaded',
    );
    // A new workout gets its message by DM (form before → after, bests, the coach's line), as from Strava;
    // the legs of a multisport file queue together and make one message.
    // The upload itself succeeded: a failure to queue the message is logged, not the athlete's problem.
    const created = stored.filter((leg) => leg.status === 'created');
    if (created.length > 0) {
      try {
        let queued = false;
        for (const leg of created)
          queued = (await queueWorkoutMessage(ctx.db, athlete.id, leg.activityId)) || queued;
        if (queued)
          await ctx.boss.send(
            jobNames.workoutMessage,
            { athleteId: athlete.id },
            { startAfter: workoutMessageDelaySeconds, priority: priorities.live },
          );
      } catch (error) {
        ctx.logger.error(
          { err: error, activityIds: created.map((leg) => leg.activityId) },
          'workout message not queued',
        );
      }
    }
    return uploadLegsReply(summaries);
  },
});

function refusal(userMessage: string): AppError {
  return new AppError('bad_request', { message: `upload refused: ${userMessage}`, userMessage });
}
