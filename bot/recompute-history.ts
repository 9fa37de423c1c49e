import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../lib/errors.ts';
import { jobNames, priorities } from '../lib/jobs/job-names.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import type { BotContext } from './bot-context.ts';
import type { ProgressUpdater } from './command.ts';
import { requireAthlete } from './require-athlete.ts';
import { progressBar } from './sync-progress.ts';

/** A button's interaction token lasts 15 minutes; past this the run keeps going and /status shows it. */
const defaultFollowForMs = 13 * 60_000;
const pollMs = 1_000;

/**
 * Starts recomputing an athlete's history without waiting for it: the worker DMs when it is done. Used
 * where a first threshold value covers the whole history, which is recomputed at once.
 */
export async function startRecompute(
  ctx: BotContext,
  athleteId: string,
  from: 'all' | string,
): Promise<void> {
  const run = await ctx.db
    .insertInto('recompute_runs')
    .values({ athlete_id: athleteId, from_date: from === 'all' ? null : from, dm_when_done: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.boss.send(
    jobNames.recompute,
    { athleteId, from, reanalyze: true, runId: run.id },
    { priority: priorities.interactive },
  );
}

/**
 * The "recompute history" button of /settings: enqueues the recompute job with a run to report into, and
 * follows it with a progress bar until it finishes.
 */
export async function recomputeHistory(
  ctx: BotContext,
  input: {
    userId: string;
    from: string;
    progress: ProgressUpdater;
    pollIntervalMs?: number;
    followForMs?: number;
  },
): Promise<Reply> {
  if (input.from !== 'all' && !/^\d{4}-\d{2}-\d{2}$/.test(input.from)) {
    throw new AppError('bad_request', {
      message: `bad recompute from ${input.from}`,
      userMessage: 'This button has expired.',
    });
  }
  const athlete = await requireAthlete(ctx, input.userId);
  const run = await ctx.db
    .insertInto('recompute_runs')
    .values({ athlete_id: athlete.id, from_date: input.from === 'all' ? null : input.from })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.boss.send(
    jobNames.recompute,
    { athleteId: athlete.id, from: input.from, reanalyze: true, runId: run.id },
    { priority: priorities.interactive },
  );
  const scope = input.from === 'all' ? 'your whole history' : `your history from ${input.from}`;
  const started = Date.now();
  while (Date.now() - started < (input.followForMs ?? defaultFollowForMs)) {
    const state = await ctx.db
      .selectFrom('recompute_runs')
      .select(['state', 'total', 'done', 'error'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    if (state.state === 'done') {
      return {
        content: `✅ Recomputed ${scope}: ${state.total} ${state.total === 1 ? 'activity' : 'activities'} re-analysed with your current thresholds, and your fitness chart updated. \`/form\` shows it.`,
      };
    }
    if (state.state === 'failed') {
      return {
        content: `Recomputing ${scope} failed and will be retried automatically. \`/status\` shows how it goes.`,
      };
    }
    await input.progress({
      content: `Recomputing ${scope}…\n\`${progressBar(state.done, Math.max(state.total, 1))}\` ${state.done}/${state.total} activities`,
    });
    await sleep(input.pollIntervalMs ?? pollMs);
  }
  // Ask for a DM unless the run finished meanwhile (the job reads the flag after marking itself done, so
  // exactly one of the two sees the other).
  const asked = await ctx.db
    .updateTable('recompute_runs')
    .set({ dm_when_done: true })
    .where('id', '=', run.id)
    .where('state', '!=', 'done')
    .returning('id')
    .executeTakeFirst();
  if (!asked) return { content: `✅ Recomputed ${scope}. \`/form\` shows the updated chart.` };
  return { content: `Still recomputing ${scope} in the background; I will DM you when it is done.` };
}
