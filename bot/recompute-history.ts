import { setTimeout as sleep } from 'node:timers/promises';
import { askDmWhenDone, createRecomputeRun, recomputeRunProgress } from '../db/queries/recompute-runs.ts';
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
  const runId = await createRecomputeRun(ctx.db, athleteId, from, { dmWhenDone: true });
  await ctx.boss.send(
    jobNames.recompute,
    { athleteId, from, reanalyze: true, runId },
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
  const runId = await createRecomputeRun(ctx.db, athlete.id, input.from);
  await ctx.boss.send(
    jobNames.recompute,
    { athleteId: athlete.id, from: input.from, reanalyze: true, runId },
    { priority: priorities.interactive },
  );
  const scope = input.from === 'all' ? 'your whole history' : `your history from ${input.from}`;
  const started = Date.now();
  while (Date.now() - started < (input.followForMs ?? defaultFollowForMs)) {
    const state = await recomputeRunProgress(ctx.db, runId);
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
  const asked = await askDmWhenDone(ctx.db, runId);
  if (!asked) return { content: `✅ Recomputed ${scope}. \`/form\` shows the updated chart.` };
  return { content: `Still recomputing ${scope} in the background; I will DM you when it is done.` };
}
