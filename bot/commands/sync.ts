import { setTimeout as sleep } from 'node:timers/promises';
import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { findConnection } from '../../db/queries/strava-connections.ts';
import { findSyncRun } from '../../db/queries/sync-runs.ts';
import { startSync } from '../../ingest/sync/start-sync.ts';
import { AppError } from '../../lib/errors.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { isFinished, syncProgressReply } from '../sync-progress.ts';

/** Interaction tokens last 15 minutes; past this the final summary goes by DM instead. */
const followForMs = 13 * 60_000;
const pollMs = 2_000;

const Options = z.object({
  count: z.union([z.literal(5), z.literal(20), z.literal(100), z.literal(500)], {
    error: 'count must be one of 5, 20, 100 or 500',
  }),
  update_existing: z.boolean().default(false),
});

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('sync')
    .setDescription('Import your Strava history')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addIntegerOption((o) =>
      o
        .setName('count')
        .setDescription('How many recent activities')
        .setRequired(true)
        .addChoices(
          { name: '5', value: 5 },
          { name: '20', value: 20 },
          { name: '100', value: 100 },
          { name: '500', value: 500 },
        ),
    )
    .addBooleanOption((o) =>
      o.setName('update_existing').setDescription('Re-fetch activities already imported'),
    )
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options, progress }, ctx) => {
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    const connection = athlete ? await findConnection(ctx.db, athlete.id) : undefined;
    if (!athlete || !connection) {
      throw new AppError('not_connected', {
        message: 'sync without connection',
        userMessage: 'Connect Strava first: /connect',
      });
    }
    if (connection.status !== 'active') {
      throw new AppError('needs_reauth', {
        message: 'sync needs reauth',
        userMessage: 'Strava needs you to reconnect first: /connect',
      });
    }
    const { runId, alreadyRunning } = await startSync(ctx.db, ctx.boss, {
      athleteId: athlete.id,
      kind: 'backfill',
      count: options.count,
      updateExisting: options.update_existing,
      // The interaction shows the summary while it is followed; after that the worker DMs it.
      notify: { dm: invoker.userId, dmAfter: new Date(Date.now() + followForMs).toISOString() },
    });
    const started = Date.now();
    let first = true;
    for (;;) {
      const run = await findSyncRun(ctx.db, runId);
      if (!run) throw new Error(`sync run ${runId} not found`);
      const reply = syncProgressReply(run, athlete.timezone);
      if (alreadyRunning && first) reply.content = 'An import is already running; here is its progress.';
      first = false;
      if (isFinished(run)) return reply;
      if (Date.now() - started > followForMs) {
        return { ...reply, content: 'This is taking a while; I’ll DM you the summary when it’s done.' };
      }
      await progress(reply);
      await sleep(pollMs);
    }
  },
});
