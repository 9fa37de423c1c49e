import type { ParsedActivityFile } from '../activities/activity-file.ts';
import type { StoredFileActivity } from '../activities/store-activity-file.ts';
import type { ActivityMetricsRow } from '../db/tables/activity-metrics.ts';
import { distance, duration as hms, num } from '../lib/format.ts';
import type { EmbedSpec, Reply } from '../lib/presentation/reply.ts';

export interface UploadSummary {
  fileName: string;
  parsed: ParsedActivityFile;
  stored: StoredFileActivity;
  activity: { name: string; sport_type: string; start_date_local: string; distance_m: number | null };
  metrics: Pick<
    ActivityMetricsRow,
    | 'stress'
    | 'stress_method'
    | 'duration_s'
    | 'moving_s'
    | 'np_w'
    | 'intensity'
    | 'avg_hr'
    | 'decoupling_pct'
  > | null;
  units: 'metric' | 'imperial';
}

const statusLine: Record<StoredFileActivity['status'], string> = {
  created: '✅ Analysed and added to your training load.',
  replaced_streams:
    '🔁 You already had this workout; this file has richer data, so its streams replaced the old ones.',
  duplicate: '🟰 You already had this workout; the existing data is as rich or richer, so it was kept.',
  already_imported: '🟰 This exact file was uploaded before; nothing changed.',
};

/** The /upload answer: the metrics, what happened to duplicates, and what could not be read. */
function uploadReply(s: UploadSummary): Reply {
  const fields: NonNullable<EmbedSpec['fields']> = [];
  fields.push({ name: 'Sport', value: s.activity.sport_type, inline: true });
  fields.push({ name: 'Start', value: s.activity.start_date_local.slice(0, 16), inline: true });
  if (s.metrics) {
    fields.push({
      name: 'Duration',
      value: `${hms(s.metrics.duration_s)} (moving ${hms(s.metrics.moving_s)})`,
      inline: true,
    });
  }
  if (s.activity.distance_m !== null && s.activity.distance_m > 0) {
    fields.push({ name: 'Distance', value: distance(s.activity.distance_m, s.units), inline: true });
  }
  if (s.metrics) {
    fields.push({
      name: 'Stress',
      value: `${num(s.metrics.stress)} (${s.metrics.stress_method})`,
      inline: true,
    });
    if (s.metrics.np_w !== null) fields.push({ name: 'NP', value: `${num(s.metrics.np_w)} W`, inline: true });
    if (s.metrics.intensity !== null)
      fields.push({ name: 'IF', value: num(s.metrics.intensity, 2), inline: true });
    if (s.metrics.avg_hr !== null)
      fields.push({ name: 'Avg HR', value: `${num(s.metrics.avg_hr)} bpm`, inline: true });
    if (s.metrics.decoupling_pct !== null) {
      fields.push({ name: 'Decoupling', value: `${num(s.metrics.decoupling_pct, 1)} %`, inline: true });
    }
  }
  const channels = Object.keys(s.parsed.streams.channels);
  if (s.parsed.streams.latlng) channels.push('position');
  fields.push({
    name: 'Read from the file',
    value: `${s.parsed.format.toUpperCase()}, ${s.parsed.streams.time.length} samples: ${channels.join(', ') || 'time only'}`,
  });
  if (s.parsed.warnings.length > 0) {
    fields.push({
      name: 'Could not be read',
      value: clip(s.parsed.warnings.map((w) => `• ${w}`).join('\n')),
    });
  }
  if (s.stored.status !== 'created') fields.push({ name: 'Duplicate check', value: clip(s.stored.reason) });
  return {
    content: statusLine[s.stored.status],
    embeds: [
      { title: clip(s.activity.name, 256), description: `From ${s.fileName}`, fields, color: 0x2e86de },
    ],
  };
}

/** Embeds one message may carry (Discord's limit). */
const maxEmbeds = 10;

/**
 * The /upload answer for a file read as legs: a one-sport file is `uploadReply`; a multisport file says
 * it became one activity per leg and shows each leg's own sport and stress.
 */
export function uploadLegsReply(legs: UploadSummary[]): Reply {
  if (legs.length === 1) return uploadReply(legs[0]!);
  const replies = legs.map((leg) => uploadReply(leg));
  const created = legs.filter((leg) => leg.stored.status === 'created').length;
  const embeds = replies.flatMap((reply) => reply.embeds ?? []);
  const shown = embeds.slice(0, maxEmbeds);
  const more = embeds.length - shown.length;
  return {
    content: `🔀 A multisport file: ${legs.length} legs, each its own activity with its own sport and stress (${created} new).${more > 0 ? ` ${more} more not shown.` : ''}`,
    embeds: shown,
  };
}

function clip(text: string, max = 1024): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
