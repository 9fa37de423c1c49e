import type { PgBoss } from 'pg-boss';
import { createDmSender } from '../bot/dm-sender.ts';
import type { ChartRenderer } from '../charts/renderer.ts';
import type { Db } from '../db/connect.ts';
import { createStravaServices } from '../ingest/strava-services.ts';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { AppContext } from './context.ts';

/** The one place a process's services are wired together from configuration. */
export function buildAppContext(options: {
  config: Config;
  logger: Logger;
  db: Db;
  boss: PgBoss;
  now?: () => Date;
  /** Tests shorten Strava retry backoff. */
  retryBaseDelayMs?: number;
}): AppContext {
  const { config, logger, db, boss } = options;
  const now = options.now ?? (() => new Date());
  return {
    config,
    logger,
    db,
    boss,
    dm: config.discord
      ? createDmSender({ token: config.discord.token, apiUrl: config.discord.apiUrl })
      : null,
    strava: createStravaServices({
      config,
      db,
      boss,
      logger,
      now,
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    }),
    charts: lazyChartRenderer(config.quickchartUrl, logger),
    now,
  };
}

// The canvas (for charts) costs tens of MB: it loads with the first chart, so a web process, which
// draws none, never loads it. (The DM sender loads discord.js with its first DM in the same way.)

function lazyChartRenderer(quickchartUrl: string | null, logger: Logger): ChartRenderer {
  let renderer: Promise<ChartRenderer> | null = null;
  const load = () => {
    renderer ??= import('../charts/renderer.ts').then((module) =>
      module.createChartRenderer({
        quickchartUrl,
        onQuickChartError: (error) =>
          logger.warn({ err: error }, 'QuickChart failed; rendered in process instead'),
      }),
    );
    return renderer;
  };
  return {
    mode: quickchartUrl ? 'quickchart' : 'in-process',
    render: async (config, size) => (await load()).render(config, size),
    renderSpec: async (spec) => (await load()).renderSpec(spec),
  };
}
