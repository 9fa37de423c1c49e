import { clip, fitEmbeds, messageLimits } from '../bot/message-limits.ts';
import type { ButtonSpec, EmbedSpec, FileSpec, Reply } from '../lib/presentation/reply.ts';

/**
 * The browser's counterpart of `bot/discord-adapter.ts`: the same `Reply` as Discord would show it —
 * content, embeds (within the same limits), images inline, other files as downloads, and buttons the
 * console's script sends back to the command's `button` handler. Every text is escaped.
 */
export function replyToHtml(reply: Reply, options: { author?: string } = {}): string {
  const files = (reply.files ?? []).slice(0, messageLimits.attachments);
  const byName = new Map(files.map((file) => [file.name, file]));
  const usedInEmbeds = new Set<string>();
  const embeds = fitEmbeds((reply.embeds ?? []).slice(0, messageLimits.embeds)).map((embed) =>
    embedHtml(embed, byName, usedInEmbeds),
  );
  // Discord shows attachments an embed does not use below the message.
  const attachments = files.filter((file) => !usedInEmbeds.has(file.name)).map(fileHtml);
  const rows = (reply.components ?? [])
    .filter((row) => row.length > 0)
    .slice(0, messageLimits.rows)
    .map(
      (row) =>
        `<div class="buttons">${row.slice(0, messageLimits.buttonsPerRow).map(buttonHtml).join('')}</div>`,
    );
  const content = reply.content
    ? `<div class="content">${markdown(clip(reply.content, messageLimits.content))}</div>`
    : '';
  return `<article class="message bot">
<header><span class="author">${escapeHtml(options.author ?? 'Threshold')}</span><span class="tag">BOT</span>${
    reply.personal === false
      ? ''
      : '<span class="private" title="In a server only the athlete sees this">only you</span>'
  }</header>
${content}${embeds.join('')}${attachments.join('')}${rows.join('')}
</article>`;
}

function embedHtml(embed: EmbedSpec, files: Map<string, FileSpec>, used: Set<string>): string {
  const colour = embed.color !== undefined ? `#${embed.color.toString(16).padStart(6, '0')}` : '#4f545c';
  const title = embed.title
    ? embed.url && isHttpUrl(embed.url)
      ? `<a class="title" href="${escapeHtml(embed.url)}" rel="noopener noreferrer" target="_blank">${escapeHtml(embed.title)}</a>`
      : `<div class="title">${escapeHtml(embed.title)}</div>`
    : '';
  const fields = (embed.fields ?? [])
    .map(
      (field) =>
        `<div class="field${field.inline ? ' inline' : ''}"><div class="name">${markdown(field.name)}</div><div class="value">${markdown(field.value)}</div></div>`,
    )
    .join('');
  const image = embed.image ? imageHtml(embed.image, files, used, 'image') : '';
  const thumbnail = embed.thumbnail ? imageHtml(embed.thumbnail, files, used, 'thumbnail') : '';
  const footer = [
    embed.footer ? escapeHtml(embed.footer) : '',
    embed.timestamp ? escapeHtml(embed.timestamp.toISOString().slice(0, 16).replace('T', ' ')) : '',
  ]
    .filter(Boolean)
    .join(' • ');
  return `<div class="embed" style="border-left-color:${colour}">${thumbnail}${title}${
    embed.description ? `<div class="description">${markdown(embed.description)}</div>` : ''
  }${fields ? `<div class="fields">${fields}</div>` : ''}${image}${footer ? `<div class="footer">${footer}</div>` : ''}</div>`;
}

function imageHtml(ref: string, files: Map<string, FileSpec>, used: Set<string>, cls: string): string {
  const attachment = ref.startsWith('attachment://')
    ? files.get(ref.slice('attachment://'.length))
    : undefined;
  if (attachment) {
    used.add(attachment.name);
    return `<img class="${cls}" src="${dataUrl(attachment)}" alt="${escapeHtml(attachment.description ?? attachment.name)}">`;
  }
  return isHttpUrl(ref) ? `<img class="${cls}" src="${escapeHtml(ref)}" alt="">` : '';
}

function fileHtml(file: FileSpec): string {
  if (/\.(png|jpe?g|gif|webp)$/i.test(file.name)) {
    return `<img class="attachment" src="${dataUrl(file)}" alt="${escapeHtml(file.description ?? file.name)}">`;
  }
  return `<a class="file" download="${escapeHtml(file.name)}" href="${dataUrl(file)}">📎 ${escapeHtml(file.name)} (${Math.ceil(file.data.length / 1024)} KB)</a>`;
}

function buttonHtml(button: ButtonSpec): string {
  const label = escapeHtml(clip(button.label, messageLimits.buttonLabel));
  if (button.kind === 'link') {
    return isHttpUrl(button.url)
      ? `<a class="button link" href="${escapeHtml(button.url)}" rel="noopener noreferrer" target="_blank">${button.emoji ? `${escapeHtml(button.emoji)} ` : ''}${label} ↗</a>`
      : '';
  }
  return `<button type="button" class="button ${button.style ?? 'secondary'}" data-custom-id="${escapeHtml(
    button.customId.slice(0, messageLimits.customId),
  )}"${button.disabled ? ' disabled' : ''}>${label}</button>`;
}

const mimeOf = (name: string) =>
  /\.png$/i.test(name)
    ? 'image/png'
    : /\.jpe?g$/i.test(name)
      ? 'image/jpeg'
      : /\.gif$/i.test(name)
        ? 'image/gif'
        : /\.webp$/i.test(name)
          ? 'image/webp'
          : /\.zip$/i.test(name)
            ? 'application/zip'
            : 'application/octet-stream';

function dataUrl(file: FileSpec): string {
  return `data:${mimeOf(file.name)};base64,${file.data.toString('base64')}`;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value) && URL.canParse(value);
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The part of Discord's markdown replies use: code spans and blocks, **bold**, *italic* and _italic_,
 * __underline__, ~~strike~~, [links](https://…), "> " quotes, "# " headings and line breaks. Escaped
 * first, so nothing a reply carries can become markup.
 */
export function markdown(text: string): string {
  const codes: string[] = [];
  // U+E000 (private use) marks where code was taken out; any in the text itself is dropped.
  let html = escapeHtml(text.replaceAll('\uE000', ''))
    .replace(/```(?:\w+\n)?([\s\S]*?)```/g, (_m, code: string) => {
      codes.push(`<pre>${code}</pre>`);
      return `\uE000${codes.length - 1}\uE000`;
    })
    .replace(/`([^`\n]+)`/g, (_m, code: string) => {
      codes.push(`<code>${code}</code>`);
      return `\uE000${codes.length - 1}\uE000`;
    });
  html = html
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/__(.+?)__/g, '<u>$1</u>')
    .replace(/~~(.+?)~~/g, '<s>$1</s>')
    .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_(?!\s)([^_\n]+?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(
      /\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g,
      '<a href="$2" rel="noopener noreferrer" target="_blank">$1</a>',
    )
    .replace(/^#{1,3} (.+)$/gm, '<strong class="heading">$1</strong>')
    .replace(/^&gt; (.*)$/gm, '<span class="quote">$1</span>')
    .replace(/\n/g, '<br>');
  return html.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)] ?? '');
}
