import type { EmbedSpec } from '../lib/presentation/reply.ts';

/** Discord's limits on one message (https://discord.com/developers/docs/resources/message). */
export const messageLimits = {
  content: 2000,
  embeds: 10,
  /** Title, description, field names and values, footer text of every embed of the message together. */
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  attachments: 10,
  attachmentDescription: 1024,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  url: 512,
} as const;

/**
 * Shortens `text` to `max` characters, ending in "…" when cut (never splitting a surrogate pair), so an
 * over-long activity name or coach sentence is shortened instead of failing the whole message.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/**
 * Whole lines joined while they fit in `max` characters, then "… and N more": a list (yesterday's
 * activities, today's plans) is shortened by items, not cut mid-name.
 */
export function linesWithin(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i - 1;
    const more = rest > 0 ? `\n… and ${rest} more`.length : 0;
    const next = length + (kept.length > 0 ? 1 : 0) + line.length;
    if (next + more > max) {
      if (kept.length === 0) return clip(line, max);
      return `${kept.join('\n')}\n… and ${lines.length - i} more`;
    }
    kept.push(line);
    length = next;
  }
  return kept.join('\n');
}

/**
 * Each text within its own limit, then the message's 6000-character embed total kept by capping the
 * longest texts at one common length (a long description or list gives way before a title or a number).
 */
export function fitEmbeds(specs: EmbedSpec[]): EmbedSpec[] {
  const embeds = specs.map((spec) => ({
    ...spec,
    ...(spec.title ? { title: clip(spec.title, messageLimits.title) } : {}),
    ...(spec.description ? { description: clip(spec.description, messageLimits.description) } : {}),
    ...(spec.footer ? { footer: clip(spec.footer, messageLimits.footer) } : {}),
    ...(spec.fields
      ? {
          // Discord refuses an empty field name or value: a zero-width space and a dash stand in.
          fields: spec.fields.slice(0, messageLimits.fields).map((field) => ({
            ...field,
            name: clip(field.name || '\u200b', messageLimits.fieldName),
            value: clip(field.value || '—', messageLimits.fieldValue),
          })),
        }
      : {}),
  }));
  type Slot = { get: () => string; set: (text: string) => void };
  const slots: Slot[] = embeds.flatMap((embed) => [
    ...(['description', 'footer', 'title'] as const)
      .filter((key) => embed[key])
      .map((key) => ({
        get: () => embed[key] ?? '',
        set: (text: string) => {
          embed[key] = text;
        },
      })),
    ...(embed.fields ?? []).flatMap((field) => [
      {
        get: () => field.value,
        set: (text: string) => {
          field.value = text;
        },
      },
      {
        get: () => field.name,
        set: (text: string) => {
          field.name = text;
        },
      },
    ]),
  ]);
  const lengths = slots.map((slot) => slot.get().length);
  const totalAt = (cap: number) => lengths.reduce((sum, length) => sum + Math.min(length, cap), 0);
  if (totalAt(Number.POSITIVE_INFINITY) <= messageLimits.embedTotal) return embeds;
  // The largest cap that fits (at most 10 embeds × 53 texts, so a cap of 1 always fits).
  let low = 1;
  let high = Math.max(...lengths);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (totalAt(mid) <= messageLimits.embedTotal) low = mid;
    else high = mid - 1;
  }
  for (const slot of slots) slot.set(clip(slot.get(), low));
  return embeds;
}
