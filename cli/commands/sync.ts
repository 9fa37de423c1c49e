import { setTimeout as sleep } from 'node:timers/promises';
import { buildAppContext } from '../../app/build-context.ts';
import { createQueues, startWorkers } from '../../app/job-runner.ts';
import { jobDefinitions } from '../../app/jobs.ts';
import { isFinished, progressBar } from '../../bot/sync-progress.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { findSyncRun } from '../../db/queries/sync-runs.ts';
import { startSync } from '../../ingest/sync/start-sync.ts';
import { requireFeature } from '../../lib/config.ts';
import { localDateTime } from '../../lib/local-time.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId, positiveInt } from './arguments.ts';

export default {
  name: 'sync',
  summary: "Backfill a Discord user's Strava history, printing progress until done",
  usage: `Usage: npm run --silent cli -- sync <discord-user-id> [--count N] [--update-existing] [--no-work]

Starts a backfill of the user's N most recent activities (default 30, at most 2000) — skipping those
already stored unless --update-existing — and prints progress until it finishes. The command works the
jobs itself, so it finishes even when no worker is running; --no-work leaves them to running workers.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, {
      count: { type: 'string' },
      'update-existing': { type: 'boolean' },
      'no-work': { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one Discord user id');
    const userId = discordUserId(positionals[0]!);
    const count = positiveInt('count', values.count, 30, 2000);
    return withCliContext(async (cli) => {
      requireFeature(cli.config, 'strava');
      const athlete = await findAthleteByDiscordId(cli.database.db, userId);
      if (!athlete) throw new CliError(`no athlete for Discord user ${userId}; connect first (connect-link)`);
      const boss = await cli.boss();
      const ctx = buildAppContext({ config: cli.config, logger: cli.logger, db: cli.database.db, boss });
      await createQueues(boss, jobDefinitions);
      if (!values['no-work']) await startWorkers(boss, jobDefinitions, ctx, cli.logger);
      const { runId, alreadyRunning } = await startSync(cli.database.db, boss, {
        athleteId: athlete.id,
        kind: 'backfill',
        count,
        updateExisting: values['update-existing'] ?? false,
      });
      if (alreadyRunning) io.err(`A sync is already running for this athlete (run ${runId}); following it.`);
      let lastLine = '';
      for (;;) {
        const run = await findSyncRun(cli.database.db, runId);
        if (!run) throw new Error(`sync run ${runId} not found`);
        const processed = run.synced + run.skipped + run.failed;
        let line = `${progressBar(processed, Math.max(run.listed, 1))} ${run.state}: listed ${run.listed}, synced ${run.synced}, skipped ${run.skipped}, failed ${run.failed}, API calls ${run.api_calls}`;
        if (run.state === 'waiting_rate_limit' && run.resume_at) {
          line += ` — Strava limit reached, resuming at ${localDateTime(run.resume_at, 'UTC').time} UTC`;
        }
        if (line !== lastLine) io.out(line);
        lastLine = line;
        if (isFinished(run)) {
          if (run.state !== 'done') throw new CliError(`sync ${run.state}: ${run.error ?? 'see logs'}`);
          return 0;
        }
        await sleep(1_000);
      }
    });
  },
} satisfies CliCommand;
