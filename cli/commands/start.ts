import module from 'node:module';
import type { ServiceName } from '../../app/run-process.ts';
import { type CliCommand, parseCliArgs, UsageError } from '../command.ts';

const all: ServiceName[] = ['web', 'worker', 'bot'];

export default {
  name: 'start',
  summary: 'Run the web service, workers and Discord bot (all by default) until stopped',
  usage: `Usage: npm start
       npm run --silent cli -- start [--only web|worker|bot[,...]]

Without --only, each service runs as its own child process under a supervisor that restarts one that
dies (with backoff; after 5 deaths in 5 minutes everything stops) and, on SIGINT/SIGTERM, stops them all
and then the embedded PostgreSQL. With --only, the named services run in this one process (Docker Compose
runs each service as its own container this way). Without DATABASE_URL an embedded PostgreSQL starts with
its data in .data/postgres. Features whose settings are missing stay off; the start-up message names the
variables.`,
  run: async (argv) => {
    const { values } = parseCliArgs(argv, { only: { type: 'string' } }, false);
    // V8's compiled code for the modules loaded from here on is kept on disk (Node's compile cache, in
    // the temporary folder): a restart skips most of their compilation (~60 ms CPU of a web start).
    module.enableCompileCache?.();
    if (!values.only) return (await import('../../app/supervisor.ts')).superviseServices(all);
    const names = values.only.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !all.includes(name as ServiceName));
    if (unknown.length > 0) throw new UsageError(`unknown service ${unknown.join(', ')} (web, worker, bot)`);
    return (await import('../../app/run-process.ts')).runProcess(names as ServiceName[]);
  },
} satisfies CliCommand;
