import type { PgBoss } from 'pg-boss';
import type { Db } from '../../db/connect.ts';
import { deleteJobRun, findJobRun, quarantinedJobRuns } from '../../db/queries/job-runs.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';

interface ListedJob {
  id: string;
  queue: string;
  state: 'quarantined' | 'failed';
  error: string | null;
  crashes: number | null;
  at: string | null;
  data: unknown;
}

export default {
  name: 'jobs',
  summary: 'List quarantined and failed background jobs, or retry one',
  usage: `Usage: npm run --silent cli -- jobs [--json]
       npm run --silent cli -- jobs retry <id>

Lists jobs that will not run again by themselves: quarantined (they crashed a process twice) and failed
(out of retries, kept in their queue's dead-letter queue for 14 days), with their last error.
"retry <id>" queues the job again with the same payload and removes it from the list.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, { json: { type: 'boolean' } });
    const [action, id, ...rest] = positionals;
    if (action !== undefined && action !== 'retry') throw new UsageError(`unknown action ${action} (retry)`);
    if (action === 'retry' && (id === undefined || rest.length > 0))
      throw new UsageError('expected exactly one job id: jobs retry <id>');
    return withCliContext(async (cli) => {
      const boss = await cli.boss();
      if (action === 'retry') {
        const queued = await retryJob(cli.database.db, boss, id!);
        if (values.json) io.out(JSON.stringify({ retried: id, newId: queued.newId, queue: queued.queue }));
        else io.out(`Job ${id} queued again on ${queued.queue} as ${queued.newId}.`);
        return 0;
      }
      const jobs = await listJobs(cli.database.db, boss);
      if (values.json) {
        io.out(JSON.stringify(jobs, null, 2));
        return 0;
      }
      if (jobs.length === 0) {
        io.out('No quarantined or failed jobs.');
        return 0;
      }
      for (const job of jobs) {
        const crashes = job.crashes === null ? '' : `, ${job.crashes} crashes`;
        io.out(`${job.id}  ${job.state}  ${job.queue}${crashes}  ${job.at ?? ''}`);
        io.out(`    ${job.error ?? 'no error recorded'}`);
      }
      io.out(`\nRetry one with: npm run --silent cli -- jobs retry <id>`);
      return 0;
    });
  },
} satisfies CliCommand;

export async function listJobs(db: Db, boss: PgBoss): Promise<ListedJob[]> {
  const quarantined = await quarantinedJobRuns(db);
  const listed: ListedJob[] = quarantined.map((row) => ({
    id: row.job_id,
    queue: row.queue,
    state: 'quarantined',
    error: row.last_error,
    crashes: row.crashes,
    at: row.quarantined_at?.toISOString() ?? null,
    data: row.data,
  }));
  const quarantinedPayloads = new Set(listed.map((job) => `${job.queue} ${JSON.stringify(job.data)}`));
  for (const queue of await deadLetterQueues(boss)) {
    const dead = await boss.findJobs<unknown>(`${queue}.dead`, { queued: true, limit: 1000 });
    for (const job of dead) {
      // A quarantined job is also dead-lettered (as a copy with the same payload); it is listed once.
      if (quarantinedPayloads.has(`${queue} ${JSON.stringify(job.data)}`)) continue;
      listed.push({
        id: job.id,
        queue,
        state: 'failed',
        error: describeOutput(job.output),
        crashes: null,
        at: job.createdOn.toISOString(),
        data: job.data,
      });
    }
  }
  return listed;
}

/** Queues that have a dead-letter queue (every job kind's, once a worker has created them). */
async function deadLetterQueues(boss: PgBoss): Promise<string[]> {
  const names = new Set((await boss.getQueues()).map((q) => q.name));
  return [...names].filter((name) => names.has(`${name}.dead`)).sort();
}

function describeOutput(output: unknown): string | null {
  if (output && typeof output === 'object' && 'error' in output) return String(output.error);
  if (output && typeof output === 'object' && 'message' in output) return String(output.message);
  return output == null ? null : JSON.stringify(output).slice(0, 500);
}

async function retryJob(db: Db, boss: PgBoss, id: string): Promise<{ queue: string; newId: string }> {
  const row = await findJobRun(db, id);
  if (row?.quarantined_at) {
    const newId = await boss.send(row.queue, (row.data ?? {}) as object);
    if (!newId) throw new CliError(`${row.queue} refused the job (a singleton already queued?)`);
    await deleteJobRun(db, id);
    // Its dead-letter copy goes too, so it is not listed as failed afterwards.
    for (const dead of await boss.findJobs<unknown>(`${row.queue}.dead`, { queued: true, limit: 1000 })) {
      if (JSON.stringify(dead.data) === JSON.stringify(row.data))
        await boss.deleteJob(`${row.queue}.dead`, dead.id);
    }
    return { queue: row.queue, newId };
  }
  for (const queue of await deadLetterQueues(boss)) {
    const [dead] = await boss.findJobs<unknown>(`${queue}.dead`, { id });
    if (!dead) continue;
    const newId = await boss.send(queue, (dead.data ?? {}) as object);
    if (!newId) throw new CliError(`${queue} refused the job (a singleton already queued?)`);
    await boss.deleteJob(`${queue}.dead`, dead.id);
    return { queue, newId };
  }
  throw new CliError(`no quarantined or failed job ${id} (list them with: jobs)`);
}
