import type { ChartRenderer } from '../charts/renderer.ts';
import type { IngestContext } from '../ingest/strava-services.ts';
import type { DmSender } from './dm-sender.ts';

/**
 * What every slash command, bot job and console page is handed: the whole process's context, built once
 * per process by app/ (which only composes it). Strava's part is ingest's own context.
 */
export interface BotContext extends IngestContext {
  /** Sends DMs over Discord's REST API; null when Discord is not configured. */
  dm: DmSender | null;
  /** Chart configurations to PNG: in process, or through QuickChart when QUICKCHART_URL is set. */
  charts: ChartRenderer;
}
