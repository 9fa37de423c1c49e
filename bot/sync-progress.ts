import type { SyncRunRow } from '../db/tables/sync-runs.ts';
import { localDateTime } from '../lib/local-time.ts';
import type { Reply } from '../lib/presentation/reply.ts';

export function progressBar(done: number, total: number, width = 20): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.round(share * 100)}%`;
}

const finished = new Set(['done', 'failed', 'cancelled']);

export function isFinished(run: Pick<SyncRunRow, 'state'>): boolean {
  return finished.has(run.state);
}

/** The live /sync message: a bar, the counts, and any wait for Strava's rate limit in local time. */
export function syncProgressReply(run: SyncRunRow, timezone: string): Reply {
  const total = Math.max(
    run.listed,
    run.requested > 0 && run.state === 'listing' ? run.requested : run.listed,
  );
  const processed = run.synced + run.skipped + run.failed;
  const lines = [
    `\`${progressBar(processed, total || run.requested)}\``,
    `Listed ${run.listed} · analysed ${run.synced} · already here ${run.skipped}${run.failed ? ` · failed ${run.failed}` : ''}`,
  ];
  if (run.state === 'waiting_rate_limit' && run.resume_at) {
    lines.push(`⏳ Strava limit reached, resuming at ${localDateTime(run.resume_at, timezone).time}`);
  }
  if (run.state === 'listing') lines.push('Listing your activities on Strava…');
  const titles: Record<string, string> = {
    queued: 'Import queued',
    listing: 'Importing from Strava',
    syncing: 'Importing from Strava',
    waiting_rate_limit: 'Importing from Strava (paused)',
    done: 'Import finished',
    failed: 'Import stopped',
    cancelled: 'Import cancelled',
  };
  if (run.state === 'failed' && run.error) lines.push(`Reason: ${run.error}`);
  if (run.state === 'done') lines.push('See `/form` for your fitness and form.');
  return {
    embeds: [
      {
        title: titles[run.state] ?? 'Import',
        description: lines.join('\n'),
        color: run.state === 'done' ? 0x2da44e : run.state === 'failed' ? 0xcf222e : 0xfc4c02,
        footer: `Requested ${run.requested}${run.update_existing ? ', updating existing' : ''} · Powered by Strava`,
      },
    ],
  };
}
