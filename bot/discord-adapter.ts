import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import type { ButtonSpec, Reply } from '../lib/presentation/reply.ts';
import { clip, fitEmbeds, messageLimits } from './message-limits.ts';

// Discord's message limits are pure (the console's web adapter shares them without loading discord.js).
export { clip, fitEmbeds, linesWithin, messageLimits } from './message-limits.ts';

const styles = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

export interface MessageOptions {
  content: string;
  embeds: EmbedBuilder[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
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
