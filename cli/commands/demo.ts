import { loadDemo } from '../../console/demo/demo-athlete.ts';
import { deleteDemoAthletes, findDemoAthlete } from '../../db/queries/athletes.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, parseCliArgs, UsageError } from '../command.ts';

export default {
  name: 'demo',
  summary: 'Load a demo athlete with a season of training (or remove it with --remove)',
  usage: `Usage: npm run --silent cli -- demo [--remove]

Loads (or reloads) the demo athlete the operator console talks to: 18 weeks of rides with power, runs,
a pool swim, a multisport race, planned workouts and a race goal, stored through the upload path like real
data. It is marked as demo: never counted as an athlete and never sent a digest. --remove deletes it and
every row that is its own.`,
  run: async (argv, io) => {
    const { values, positionals } = parseCliArgs(argv, { remove: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError('demo takes no arguments besides --remove');
    return withCliContext(async (ctx) => {
      const db = ctx.database.db;
      if (values.remove) {
        const removed = await deleteDemoAthletes(db);
        io.out(removed ? 'Demo athlete removed, with all its data.' : 'No demo athlete to remove.');
        return 0;
      }
      const loaded = await loadDemo({ db, now: () => new Date(), logger: ctx.logger }, (done, total) => {
        if (done % 10 === 0 || done === total) io.err(`imported ${done} of ${total} workouts`);
      });
      const athlete = await findDemoAthlete(db);
      io.out(
        `Demo athlete loaded (#${athlete?.id ?? loaded.athleteId}): ${loaded.activities} activities from ${loaded.firstDay} to ${loaded.lastDay}, ${loaded.plans} planned workouts and a race goal. Talk to it in the console (npm start prints its link).`,
      );
      return 0;
    });
  },
} satisfies CliCommand;
