import type { BotContext } from '../bot/bot-context.ts';
import { DmsClosedError } from '../bot/dm-sender.ts';
import { findAthleteByDiscordId, setPendingNotice } from '../db/queries/athletes.ts';
import { storeExport } from '../db/queries/data-exports.ts';
import { localDate } from '../lib/local-time.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import { buildAthleteExport } from './build-export.ts';
import { exportLinkKey, exportLinkLifetimeMs, exportLinkUrl, signExportToken } from './export-links.ts';

/**
 * Largest ZIP sent as a DM attachment. Discord's default upload limit is 10 MiB per message (25 MB
 * before 2024; unverified for every account type), and the multipart body adds a little: stay below.
 */
const dmAttachmentMaxBytes = 8 * 1024 * 1024;

export type ExportDelivery = 'attached' | 'link' | 'too_large' | 'no_athlete' | 'no_discord' | 'dms_closed';

/**
 * Builds the athlete's export and DMs it: attached when it fits Discord's limit, otherwise stored and
 * sent as a signed one-time download link that expires in 24 hours.
 */
export async function deliverExport(
  ctx: Pick<BotContext, 'db' | 'dm' | 'config' | 'logger' | 'now'>,
  discordUserId: string,
  options: { maxAttachmentBytes?: number } = {},
): Promise<ExportDelivery> {
  const log = ctx.logger.child({ subsystem: 'export', discordUserId });
  if (!ctx.dm) {
    log.info('Discord is not configured; export not delivered (use `cli export`)');
    return 'no_discord';
  }
  const athlete = await findAthleteByDiscordId(ctx.db, discordUserId);
  if (!athlete) {
    await send(ctx, discordUserId, {
      content: 'Threshold stores nothing about you, so there is nothing to export.',
    });
    return 'no_athlete';
  }
  if (athlete.demo) {
    // The console's demo athlete has no Discord account to DM: `cli export` writes its ZIP.
    log.info('demo athlete; export not delivered (use `cli export`)');
    return 'no_discord';
  }
  const now = ctx.now();
  const { zip, contents } = await buildAthleteExport(ctx.db, athlete.id, now);
  const fileName = `threshold-export-${localDate(now, athlete.timezone)}.zip`;
  const count = (table: string) => contents.files.find((f) => f.name === `${table}.json`)?.records ?? 0;
  const summary = `${count('activities')} activities with their metrics, ${count('daily_load')} days of training load, ${count('athlete_thresholds')} threshold values, ${contents.files.filter((f) => f.name.startsWith('streams/')).length} stream files, and every other record Threshold keeps about you (${contents.tables.length} tables), as JSON and CSV. README.txt explains the files.`;
  log.info({ bytes: zip.length, tables: contents.tables.length }, 'export built');

  let outcome: ExportDelivery;
  let reply: Reply;
  if (zip.length <= (options.maxAttachmentBytes ?? dmAttachmentMaxBytes)) {
    outcome = 'attached';
    reply = {
      content: `📦 Your Threshold data: ${summary}`,
      files: [{ name: fileName, data: zip, description: 'Your Threshold data export' }],
    };
  } else {
    const key = exportLinkKey(ctx.config);
    if (!key) {
      outcome = 'too_large';
      reply = {
        content: `Your export is ${megabytes(zip.length)}, more than Discord lets a bot attach, and this installation has no download links set up. Ask its operator for \`cli export\`.`,
      };
    } else {
      outcome = 'link';
      const expiresAt = new Date(now.getTime() + exportLinkLifetimeMs);
      const exportId = await storeExport(
        ctx.db,
        { athleteId: athlete.id, fileName, data: zip, expiresAt },
        now,
      );
      const url = exportLinkUrl(ctx.config.publicUrl, signExportToken(key, exportId, expiresAt));
      reply = {
        content: `📦 Your Threshold data (${megabytes(zip.length)}, too large for a Discord attachment): ${summary}\nThe link works once, for 24 hours.`,
        // A button, not a URL in the text: Discord does not fetch button links for previews, so the
        // one-time link is left for the athlete.
        components: [[{ kind: 'link', label: 'Download your data', url }]],
      };
    }
  }
  return (await send(ctx, discordUserId, reply)) ? outcome : 'dms_closed';
}

async function send(
  ctx: Pick<BotContext, 'db' | 'dm' | 'logger'>,
  discordUserId: string,
  reply: Reply,
): Promise<boolean> {
  try {
    await ctx.dm!.send(discordUserId, reply);
    return true;
  } catch (error) {
    if (!(error instanceof DmsClosedError)) throw error;
    ctx.logger.warn({ discordUserId }, 'DMs closed; export not delivered, notice kept for the next command');
    await setPendingNotice(
      ctx.db,
      discordUserId,
      'Your data export could not be delivered because your DMs are closed to the bot. Open them and run `/export` again.',
    );
    return false;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
