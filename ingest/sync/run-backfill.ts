import { settleLoad } from '../../activities/record-delivery.ts';
import { inTransaction } from '../../db/connect.ts';
import { findActivityByStravaId } from '../../db/queries/activities.ts';
import { latestLoad } from '../../db/queries/daily-load.ts';
import {
  claimPendingSyncItem,
  countPendingSyncItems,
  findSyncRun,
  finishSyncRun,
  markSyncItem,
  markSyncRunWaiting,
  recordListedPage,
  setSyncRunState,
  syncRunFirstDay,
  syncRunListing,
} from '../../db/queries/sync-runs.ts';
import type { SyncRunRow } from '../../db/tables/sync-runs.ts';
import { AppError } from '../../lib/errors.ts';
import { jobNames, priorities } from '../../lib/jobs/job-names.ts';
import { RateLimitWaitError } from '../rate-limit/postgres-gate.ts';
import { refetchDueStreams } from '../retention/refetch-streams.ts';
import { type StravaActivity, StravaNotFoundError, StravaUnauthorizedError } from '../strava-port.ts';
import { syncStravaActivity } from './sync-activity.ts';
import { type SyncDeps, withAccessToken } from './sync-deps.ts';

/** Activities one job invocation syncs before queueing its continuation behind other athletes' work. */
const itemsPerSlice = 10;

/**
 * One slice of a backfill run. Listing pages and syncing items are recorded as they happen (sync_runs,
 * sync_run_items), so a crash or a restart resumes exactly where it stopped; every item is claimed with
 * SKIP LOCKED, so a duplicated job cannot sync one activity twice. When the rate-limit budget is spent the
 * run waits for the next window (a delayed continuation job), it never fails for it. Each slice ends by
 * queueing the next one at backfill priority, which interleaves athletes' backfills fairly and lets live
 * webhook work (higher priority) go first.
 */
export async function runBackfillSlice(
  deps: SyncDeps,
  runId: string,
): Promise<'continued' | 'finished' | 'waiting'> {
  const run = await findSyncRun(deps.db, runId);
  if (!run || ['done', 'failed', 'cancelled'].includes(run.state)) return 'finished';
  const log = deps.logger.child({ runId, athleteId: run.athlete_id });
  let token: string;
  try {
    token = await deps.accessToken(run.athlete_id);
  } catch (error) {
    if (error instanceof AppError && (error.code === 'needs_reauth' || error.code === 'not_connected')) {
      await finish(deps, run, 'failed', error.userMessage);
      return 'finished';
    }
    throw error;
  }
  // Days changed by the items synced so far: recomputed even when the slice stops early (rate limit,
  // refused token), since those items are committed and will not come round again.
  const changed: { earliest: string | null } = { earliest: null };
  let refetchLeft = 0;
  try {
    await withAccessToken(
      deps,
      run.athlete_id,
      async (current) => {
        // A second attempt (with a renewed token) goes on from the pages the first one listed.
        const progress = await syncRunListing(deps.db, runId);
        Object.assign(run, progress);
        if (!run.listing_done && run.listed < run.requested) await listPages(deps, run, current);
        await setState(deps, runId, 'syncing');
        await syncSlice(deps, run, current, changed);
        // Purged streams a re-analysis needs come back with the athlete's sync, within the same budget.
        refetchLeft = await refetchDueStreams(deps, run.athlete_id, current, changed, itemsPerSlice);
      },
      token,
    );
  } catch (error) {
    if (changed.earliest) await settleLoad(deps.db, run.athlete_id, changed.earliest, deps.now());
    if (error instanceof RateLimitWaitError) {
      await markSyncRunWaiting(deps.db, runId, error.retryAt, deps.now());
      await deps.boss.send(
        jobNames.backfill,
        { runId },
        { startAfter: error.retryAt, priority: priorities.backfill },
      );
      log.info(
        { resumeAt: error.retryAt.toISOString(), reason: error.reason },
        'backfill waiting for the rate limit',
      );
      return 'waiting';
    }
    if (error instanceof StravaUnauthorizedError) {
      await finish(deps, run, 'failed', 'Strava refused the connection; run /connect to reconnect.');
      return 'finished';
    }
    if (error instanceof AppError && (error.code === 'needs_reauth' || error.code === 'not_connected')) {
      await finish(deps, run, 'failed', error.userMessage);
      return 'finished';
    }
    throw error;
  }
  if (changed.earliest) await settleLoad(deps.db, run.athlete_id, changed.earliest, deps.now());
  const pending = await countPendingSyncItems(deps.db, runId);
  if (pending > 0 || refetchLeft > 0) {
    await deps.boss.send(jobNames.backfill, { runId }, { priority: priorities.backfill });
    return 'continued';
  }
  // The run's last word on the PMC: from the earliest day of any activity it listed. A slice killed
  // between committing its items and recomputing (kill -9, a lost worker) leaves days that the slices
  // after it need not cover; one recompute over the run's span makes the final state exact.
  const first = await syncRunFirstDay(deps.db, runId, run.athlete_id);
  if (first) await settleLoad(deps.db, run.athlete_id, first, deps.now());
  await finish(deps, run, 'done', null);
  return 'finished';
}

async function listPages(deps: SyncDeps, run: SyncRunRow, token: string): Promise<void> {
  await setState(deps, run.id, 'listing');
  // A fixed page size for the whole run keeps page numbers meaning the same rows across restarts.
  const perPage = Math.min(200, run.requested);
  let { listed, next_page: page } = run;
  while (listed < run.requested) {
    const activities = await deps.api.listActivities(token, { page, perPage }, 'backfill');
    const wanted = activities.slice(0, run.requested - listed);
    const done = activities.length === 0 || listed + wanted.length >= run.requested;
    listed = await recordListedPage(deps.db, run.id, {
      items: wanted.map((a) => ({ stravaId: a.id, summary: serialise(a) })),
      page,
      perPage,
      done,
      now: deps.now(),
    });
    page += 1;
    if (done) break;
  }
}

/** Syncs up to `itemsPerSlice` pending items, keeping the earliest local day that changed in `changed`. */
async function syncSlice(
  deps: SyncDeps,
  run: SyncRunRow,
  token: string,
  changed: { earliest: string | null },
): Promise<void> {
  for (let i = 0; i < itemsPerSlice; i++) {
    const outcome = await inTransaction(deps.db, async (trx) => {
      const item = await claimPendingSyncItem(trx, run.id);
      if (!item) return null;
      const existing = await findActivityByStravaId(trx, item.strava_id);
      if (existing && !run.update_existing) {
        await markSyncItem(trx, run.id, item.strava_id, 'skipped', null, 0);
        return { changedFrom: null };
      }
      const activity = deserialise(item.summary);
      try {
        const { changedFrom } = await syncStravaActivity({ ...deps, db: trx }, run.athlete_id, activity, {
          priority: 'backfill',
          recompute: false,
          token,
        });
        await markSyncItem(trx, run.id, item.strava_id, 'synced', null, activity.manual ? 0 : 1);
        return { changedFrom };
      } catch (error) {
        if (error instanceof StravaNotFoundError) {
          // Deleted on Strava between listing and syncing: nothing to import.
          await markSyncItem(trx, run.id, item.strava_id, 'failed', 'not found on Strava', 1);
          return { changedFrom: null };
        }
        // Refused as it is (an implausible date): recorded with its reason, the run goes on.
        if (error instanceof AppError && error.code === 'bad_request') {
          await markSyncItem(trx, run.id, item.strava_id, 'failed', error.userMessage.slice(0, 500), 0);
          return { changedFrom: null };
        }
        throw error;
      }
    });
    if (outcome === null) break;
    if (outcome.changedFrom && (changed.earliest === null || outcome.changedFrom < changed.earliest))
      changed.earliest = outcome.changedFrom;
  }
}

async function setState(deps: SyncDeps, runId: string, state: SyncRunRow['state']) {
  await setSyncRunState(deps.db, runId, state, deps.now());
}

async function finish(deps: SyncDeps, run: SyncRunRow, state: 'done' | 'failed', error: string | null) {
  const finished = await finishSyncRun(deps.db, run.id, state, error, deps.now());
  if (!finished) return;
  deps.logger.info(
    {
      runId: run.id,
      state,
      listed: finished.listed,
      synced: finished.synced,
      skipped: finished.skipped,
      failed: finished.failed,
      apiCalls: finished.api_calls,
      apiCallsPerActivity:
        finished.synced > 0 ? Number((finished.api_calls / finished.synced).toFixed(3)) : null,
    },
    'backfill finished',
  );
  const notify = finished.notify as { dm?: string; dmAfter?: string } | null;
  const dmDue = notify?.dm && (!notify.dmAfter || deps.now() > new Date(notify.dmAfter));
  if (state === 'done' && dmDue) {
    const load = await latestLoad(deps.db, run.athlete_id);
    await deps.boss.send(
      jobNames.notify,
      {
        discordUserId: notify.dm,
        kind: 'sync_done',
        data: {
          requested: finished.requested,
          synced: finished.synced,
          skipped: finished.skipped,
          failed: finished.failed,
          ctl: load?.ctl ?? null,
          atl: load?.atl ?? null,
          tsb: load?.tsb ?? null,
        },
      },
      { priority: priorities.live },
    );
  }
}

// Items keep the list's summary, so syncing needs no detail call (one streams call per activity).
function serialise(activity: StravaActivity): Record<string, unknown> {
  return { ...activity, startDate: activity.startDate.toISOString() };
}

function deserialise(summary: Record<string, unknown>): StravaActivity {
  return { ...(summary as unknown as StravaActivity), startDate: new Date(summary.startDate as string) };
}
