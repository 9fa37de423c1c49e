import { runProcess, type ServiceName } from '../../app/run-process.ts';
import { type CliCommand, parseCliArgs, UsageError } from '../command.ts';

const all: ServiceName[] = ['web', 'worker', 'bot'];

export default {
  name: 'start',
  summary: 'Run the web service, workers and Discord bot (all by default) until stopped',
  usage: `Usage: npm start
       npm run --silent cli -- start [--only web|worker|bot[,...]]

Runs the services in one process. Without DATABASE_URL an embedded PostgreSQL starts with its data in
.data/postgres. Features whose settings are missing stay off; the start-up message names the variables.
Docker Compose runs each service as its own container with --only.`,
  run: async (argv) => {
    const { values } = parseCliArgs(argv, { only: { type: 'string' } }, false);
    const names = values.only ? values.only.split(',').map((name) => name.trim()) : all;
    const unknown = names.filter((name) => !all.includes(name as ServiceName));
    if (unknown.length > 0) throw new UsageError(`unknown service ${unknown.join(', ')} (web, worker, bot)`);
    return runProcess(names as ServiceName[]);
  },
} satisfies CliCommand;
