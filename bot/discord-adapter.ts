import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import type { ButtonSpec, EmbedSpec, Reply } from '../lib/presentation/reply.ts';

const styles = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

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

export interface MessageOptions {
  content: string;
  embeds: EmbedBuilder[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
}

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

/** The one place a `Reply` becomes discord.js message options (valid for replies, edits and DMs). */
export function toMessageOptions(reply: Reply): MessageOptions {
  const fileSpecs = (reply.files ?? []).slice(0, messageLimits.attachments);
  const embeds = fitEmbeds((reply.embeds ?? []).slice(0, messageLimits.embeds)).map((spec) => {
    const embed = new EmbedBuilder();
    if (spec.title) embed.setTitle(spec.title);
    if (spec.description) embed.setDescription(spec.description);
    if (spec.url) embed.setURL(spec.url);
    if (spec.color !== undefined) embed.setColor(spec.color);
    if (spec.fields?.length) {
      embed.addFields(
        spec.fields.map((field) => ({ name: field.name, value: field.value, inline: field.inline ?? false })),
      );
    }
    if (spec.image) embed.setImage(spec.image);
    if (spec.thumbnail) embed.setThumbnail(spec.thumbnail);
    if (spec.footer) embed.setFooter({ text: spec.footer });
    if (spec.timestamp) embed.setTimestamp(spec.timestamp);
    return embed;
  });
  const files = fileSpecs.map(
    (file) =>
      new AttachmentBuilder(file.data, {
        name: file.name,
        ...(file.description
          ? { description: clip(file.description, messageLimits.attachmentDescription) }
          : {}),
      }),
  );
  const components = (reply.components ?? [])
    .filter((row) => row.length > 0)
    .slice(0, messageLimits.rows)
    .map((row) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        row.slice(0, messageLimits.buttonsPerRow).map(toButton),
      ),
    );
  return {
    content: reply.content ? clip(reply.content, messageLimits.content) : '',
    embeds,
    files,
    components,
  };
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

function toButton(spec: ButtonSpec): ButtonBuilder {
  const button = new ButtonBuilder().setLabel(clip(spec.label, messageLimits.buttonLabel));
  if (spec.kind === 'link') {
    button.setStyle(ButtonStyle.Link).setURL(spec.url);
    if (spec.emoji) button.setEmoji(spec.emoji);
    return button;
  }
  return button
    .setStyle(styles[spec.style ?? 'secondary'])
    .setCustomId(spec.customId.slice(0, messageLimits.customId))
    .setDisabled(spec.disabled ?? false);
}
