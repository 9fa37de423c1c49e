import { type Db, inTransaction } from '../db/connect.ts';
import { activityProvenance, updateActivity } from '../db/queries/activities.ts';
import { lockAthlete } from '../db/queries/athletes.ts';
import {
  dequeueActivity,
  finishReanalysedAthlete,
  nextQueuedActivities,
  nextReanalysedAthlete,
  reanalysisRemaining,
  recordReanalysisAttempt,
  resetQueuedMaxHr,
} from '../db/queries/metrics-reanalysis.ts';
import type { Logger } from '../lib/logger.ts';
import { analyzeStoredActivity } from './activity-store.ts';
import { recomputePmc } from './pmc-store.ts';

export interface ReanalyseDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
}

export interface ReanalyseOutcome {
  /** `idle`: nothing was left to do; `more`: stopped at the deadline; `done`: finished in this call. */
  state: 'idle' | 'more' | 'done';
  analysed: number;
  markedForRefetch: number;
  /** Activities that failed `maxAttempts` times and keep the metrics they had. */
  failed: number;
  pmcRecomputed: number;
}

/** Progress is logged every this many activities. */
const logEvery = 100;
/** Activities read from the queue per query. */
const pageSize = 100;
/** Attempts at one activity before it is left with the metrics it had (so one cannot stall the rest). */
const maxAttempts = 3;

/**
 * The one-time re-analysis of every stored activity under the current analyzer (the migration
 * 2026-12-01T1620 listed them). Each athlete's activities go oldest first, so the history's highest heart
 * rate grows as it would on a fresh import; each activity is re-analysed from its stored streams (files
 * are stored as streams too) and leaves the queue in the same transaction, so a crash resumes where it
 * stopped and nothing is redone. Activities whose Strava streams the retention job purged are marked for
 * refetch at the athlete's next sync instead. When the queue is empty each athlete's PMC is recomputed
 * once. Stops between activities once `deadline` (epoch ms) is passed.
 */
export async function reanalyseStoredActivities(
  deps: ReanalyseDeps,
  options: { deadline?: number } = {},
): Promise<ReanalyseOutcome> {
  const { db, logger } = deps;
  const outcome: ReanalyseOutcome = {
    state: 'idle',
    analysed: 0,
    markedForRefetch: 0,
    failed: 0,
    pmcRecomputed: 0,
  };
  const remaining = await reanalysisRemaining(db);
  if (remaining.activities === 0 && remaining.athletes === 0) return outcome;
  logger.info(remaining, 're-analysing stored activities under the current metric rules');
  const pastDeadline = () => options.deadline !== undefined && Date.now() >= options.deadline;

  for (;;) {
    const page = await nextQueuedActivities(db, pageSize);
    if (page.length === 0) break;
    for (const item of page) {
      if (pastDeadline()) return { ...outcome, state: 'more' };
      // Before an athlete's first re-analysed activity (once per athlete), the maxima of their activities
      // still to re-analyse are cleared, so the history's highest heart rate is built from values under the
      // current rules only (an old reading the new rules drop, e.g. 254 bpm, must not stand in for max HR;
      // an activity given up after failing keeps its metrics but not that value). Purged activities keep
      // theirs: they are not re-analysed now. In a transaction of its own: an activity that fails does not
      // undo it.
      await inTransaction(db, (trx) => resetQueuedMaxHr(trx, item.athlete_id));
      let result: 'analysed' | 'refetch' | 'failed';
      try {
        result = await reanalyseOne(deps, item.activity_id, item.athlete_id);
      } catch (error) {
        // The job fails and its retry resumes here; only an activity that keeps failing is given up.
        if ((await recordFailure(db, item.activity_id, error)) < maxAttempts) throw error;
        logger.error(
          { err: error, activityId: item.activity_id, athleteId: item.athlete_id },
          `re-analysis failed ${maxAttempts} times; the activity keeps the metrics it had`,
        );
        result = 'failed';
      }
      if (result === 'analysed') outcome.analysed += 1;
      else if (result === 'refetch') outcome.markedForRefetch += 1;
      else outcome.failed += 1;
      const handled = outcome.analysed + outcome.markedForRefetch + outcome.failed;
      if (handled % logEvery === 0) {
        logger.info(
          { ...outcome, remaining: remaining.activities - handled },
          're-analysing stored activities',
        );
      }
    }
  }

  // Every activity is through: each athlete's PMC once, from their first activity.
  for (;;) {
    const athleteId = await nextReanalysedAthlete(db);
    if (!athleteId) break;
    if (pastDeadline()) return { ...outcome, state: 'more' };
    await recomputePmc(db, athleteId, null, deps.now());
    await finishReanalysedAthlete(db, athleteId);
    outcome.pmcRecomputed += 1;
  }
  logger.info(outcome, 'stored activities re-analysed; every PMC recomputed');
  return { ...outcome, state: 'done' };
}

async function reanalyseOne(
  deps: ReanalyseDeps,
  activityId: string,
  athleteId: string,
): Promise<'analysed' | 'refetch'> {
  return inTransaction(deps.db, async (trx) => {
    // One writer per athlete, as the sync and the imports hold it.
    await lockAthlete(trx, athleteId);
    // Only what decides between analysing and refetching: the analysis reads the row itself.
    const activity = await activityProvenance(trx, activityId);
    let result: 'analysed' | 'refetch' = 'analysed';
    if (activity?.streams_state === 'purged') {
      // Its metrics stay until the streams are back; the next sync fetches them and re-analyses.
      await updateActivity(trx, activityId, { streams_refetch_due: true });
      result = 'refetch';
    } else if (activity) {
      await analyzeStoredActivity(trx, activityId);
    }
    await dequeueActivity(trx, activityId);
    return result;
  });
}

/** Counts a failed attempt (outside the rolled-back transaction); at the last one the activity leaves the queue. */
async function recordFailure(db: Db, activityId: string, error: unknown): Promise<number> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const attempts = (await recordReanalysisAttempt(db, activityId, message)) ?? maxAttempts;
  if (attempts >= maxAttempts) await dequeueActivity(db, activityId);
  return attempts;
}
