import { buildAppContext } from '../../app/build-context.ts';
import { subscriptionService, webhookCallbackUrl } from '../../ingest/webhook/subscription.ts';
import { requireFeature } from '../../lib/config.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';

export default {
  name: 'strava-subscription',
  summary: "Create, show or delete the application's Strava webhook subscription",
  usage: `Usage: npm run --silent cli -- strava-subscription create|show|delete

create  subscribes PUBLIC_URL/strava/webhook/<STRAVA_WEBHOOK_SECRET>; Strava validates it at once, so the
        web service must be running and reachable at PUBLIC_URL.
show    prints the subscription Strava has (JSON).
delete  removes it (Strava allows one per application; to change the URL, delete and create).`,
  run: async (argv, io) => {
    const { positionals } = parseCliArgs(argv, {});
    const action = positionals[0];
    if (positionals.length !== 1 || !['create', 'show', 'delete'].includes(action ?? '')) {
      throw new UsageError('expected one of create, show, delete');
    }
    return withCliContext(async (cli) => {
      const strava = requireFeature(cli.config, 'strava');
      const ctx = buildAppContext({
        config: cli.config,
        logger: cli.logger,
        db: cli.database.db,
        boss: await cli.boss(),
      });
      if (!ctx.strava) throw new CliError('Strava is not configured');
      const service = subscriptionService({
        db: ctx.db,
        client: ctx.strava.client,
        callbackUrl: webhookCallbackUrl(cli.config.publicUrl, strava.webhookSecret),
        verifyToken: strava.verifyToken,
      });
      try {
        if (action === 'create') io.out(JSON.stringify({ created: await service.create() }));
        else if (action === 'show') io.out(JSON.stringify(await service.show()));
        else io.out(JSON.stringify({ deleted: await service.remove() }));
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
      return 0;
    });
  },
} satisfies CliCommand;
