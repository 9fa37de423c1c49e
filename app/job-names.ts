/** Queue names, in one place so senders need not import the handlers. */
export const jobNames = {
  webhookEvent: 'strava.webhook-event',
  backfill: 'strava.backfill',
  notify: 'discord.notify',
  digestTick: 'digest.tick',
  digestSend: 'digest.send',
  recompute: 'metrics.recompute',
  reanalyseStored: 'metrics.reanalyse-stored',
  streamRetention: 'strava.stream-retention',
  dataExport: 'data.export',
  importExport: 'imports.strava-export',
} as const;

/** pg-boss priorities: higher runs first. Live work (webhooks, the athlete waiting) outranks backfill. */
export const priorities = { live: 10, interactive: 5, backfill: 0 } as const;
