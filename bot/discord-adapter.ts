import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import type { ButtonSpec, Reply } from './reply.ts';

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
  const embeds = (reply.embeds ?? []).map((spec) => {
    const embed = new EmbedBuilder();
    if (spec.title) embed.setTitle(spec.title.slice(0, 256));
    if (spec.description) embed.setDescription(spec.description.slice(0, 4096));
    if (spec.url) embed.setURL(spec.url);
    if (spec.color !== undefined) embed.setColor(spec.color);
    if (spec.fields?.length) {
      embed.addFields(
        spec.fields.slice(0, 25).map((field) => ({
          name: field.name.slice(0, 256),
          value: field.value.slice(0, 1024) || '—',
          inline: field.inline ?? false,
        })),
      );
    }
    if (spec.image) embed.setImage(spec.image);
    if (spec.thumbnail) embed.setThumbnail(spec.thumbnail);
    if (spec.footer) embed.setFooter({ text: spec.footer.slice(0, 2048) });
    if (spec.timestamp) embed.setTimestamp(spec.timestamp);
    return embed;
  });
  const files = (reply.files ?? []).map(
    (file) =>
      new AttachmentBuilder(file.data, {
        name: file.name,
        ...(file.description ? { description: file.description } : {}),
      }),
  );
  const components = (reply.components ?? [])
    .filter((row) => row.length > 0)
    .slice(0, 5)
    .map((row) => new ActionRowBuilder<ButtonBuilder>().addComponents(row.slice(0, 5).map(toButton)));
  return {
    content: reply.content ? reply.content.slice(0, 2000) : '',
    embeds,
    files,
    components,
  };
}

function toButton(spec: ButtonSpec): ButtonBuilder {
  const button = new ButtonBuilder().setLabel(spec.label.slice(0, 80));
  if (spec.kind === 'link') {
    button.setStyle(ButtonStyle.Link).setURL(spec.url);
    if (spec.emoji) button.setEmoji(spec.emoji);
    return button;
  }
  return button
    .setStyle(styles[spec.style ?? 'secondary'])
    .setCustomId(spec.customId.slice(0, 100))
    .setDisabled(spec.disabled ?? false);
}
