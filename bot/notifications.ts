import { z } from 'zod';
import { num, signed } from '../lib/format.ts';
import type { Reply } from './reply.ts';

/** Messages the workers send by DM, as data; `notificationReply` turns each into what the athlete sees. */
export const Notification = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connected'), data: z.object({ count: z.number().int() }) }),
  z.object({
    kind: z.literal('sync_done'),
    data: z.object({
      requested: z.number().int(),
      synced: z.number().int(),
      skipped: z.number().int(),
      failed: z.number().int(),
      ctl: z.number().nullable(),
      atl: z.number().nullable(),
      tsb: z.number().nullable(),
    }),
  }),
  z.object({ kind: z.literal('needs_reauth'), data: z.object({}) }),
  z.object({ kind: z.literal('deauthorized'), data: z.object({ kept: z.boolean() }) }),
  z.object({ kind: z.literal('athlete_limit'), data: z.object({}) }),
  z.object({ kind: z.literal('athlete_limit_operator'), data: z.object({ discordUserId: z.string() }) }),
  z.object({
    kind: z.literal('import_progress'),
    data: z.object({ done: z.number().int(), total: z.number().int() }),
  }),
  z.object({
    kind: z.literal('import_done'),
    data: z.object({
      imported: z.number().int(),
      duplicates: z.number().int(),
      failed: z.number().int(),
      skipped: z.number().int(),
      ctl: z.number().nullable(),
      atl: z.number().nullable(),
      tsb: z.number().nullable(),
    }),
  }),
  z.object({ kind: z.literal('import_failed'), data: z.object({ reason: z.string() }) }),
  z.object({
    kind: z.literal('recompute_done'),
    data: z.object({ activities: z.number().int(), failed: z.boolean() }),
  }),
]);
export type Notification = z.infer<typeof Notification>;

const one = (n: number, word: string, plural = `${word}s`) => `${n} ${n === 1 ? word : plural}`;

export function notificationReply(notification: Notification): Reply {
  switch (notification.kind) {
    case 'connected':
      return {
        content: `✅ Connected — importing your last ${notification.data.count} activities. I'll message you when they're in; meanwhile, set your thresholds with \`/settings\` so every number is right.`,
      };
    case 'sync_done': {
      const d = notification.data;
      const form =
        d.ctl === null
          ? ''
          : `\nFitness (CTL) **${num(d.ctl)}**, fatigue (ATL) **${num(d.atl ?? 0)}**, form (TSB) **${signed(d.tsb ?? 0, 0)}**. See \`/form\`.`;
      const failed =
        d.failed > 0
          ? ` ${one(d.failed, 'activity', 'activities')} could not be read; \`/status\` says which.`
          : '';
      return {
        content: `📥 Import finished: ${one(d.synced, 'activity', 'activities')} analysed, ${d.skipped} already here.${failed}${form}`,
      };
    }
    case 'needs_reauth':
      return {
        content:
          '⚠️ Strava no longer accepts Threshold’s access to your account, so new activities are not arriving. Run `/connect` to reconnect; nothing you have here is lost.',
      };
    case 'import_progress':
      return {
        content: `📦 Importing your Strava export: ${notification.data.done} of ${notification.data.total} activity files done.`,
      };
    case 'import_done': {
      const d = notification.data;
      const form =
        d.ctl === null
          ? ''
          : `\nFitness (CTL) **${num(d.ctl)}**, fatigue (ATL) **${num(d.atl ?? 0)}**, form (TSB) **${signed(d.tsb ?? 0, 0)}**.`;
      const failed = d.failed > 0 ? ` ${one(d.failed, 'file')} could not be read.` : '';
      const skipped =
        d.skipped > 0 ? ` ${d.skipped} skipped (not workouts, or rows whose date could not be read).` : '';
      return {
        content: `📦 Strava export imported: ${one(d.imported, 'new activity', 'new activities')}, ${one(d.duplicates, 'duplicate')} of workouts already here (the richer data kept).${failed}${skipped}${form}`,
      };
    }
    case 'recompute_done':
      return {
        content: notification.data.failed
          ? 'Recomputing your history with your new thresholds failed; it will be retried. `/status` shows how it goes.'
          : `✅ Your history is recomputed with your current thresholds: ${one(notification.data.activities, 'activity', 'activities')} re-analysed. \`/form\` shows the updated chart.`,
      };
    case 'import_failed':
      return {
        content: `📦 Your Strava export could not be imported: ${notification.data.reason}. \`/import\` gives a new link.`,
      };
    case 'deauthorized':
      return {
        content: notification.data.kept
          ? 'You disconnected Threshold from Strava. Your Strava activities and streams are deleted; your training-load numbers were kept as you asked.'
          : 'You disconnected Threshold from Strava, so your Strava activities, streams and the numbers derived from them are deleted. `/connect` starts again any time.',
      };
    case 'athlete_limit':
      return {
        content:
          '⛔ Strava refused to connect your account: this Threshold installation has reached the number of athletes Strava allows it, and nothing was stored. The operator has been told. Meanwhile `/upload` and `/import` feed Threshold your workouts without the Strava API; try `/connect` again later.',
      };
    case 'athlete_limit_operator':
      return {
        content: `⚠️ Strava refused a new connection (Discord user <@${notification.data.discordUserId}>): your Strava API application has reached its athlete limit. Ask Strava for more capacity (developers.strava.com, Rate Limits → Athlete Capacity) or disconnect inactive athletes.`,
        personal: false,
      };
  }
}
