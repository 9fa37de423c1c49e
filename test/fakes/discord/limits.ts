/**
 * Discord's documented limits on what a bot sends, as checks over the wire JSON: messages (content,
 * embeds, components, attachments), autocomplete choices and application command definitions. The fake
 * refuses what Discord refuses (50035), and unit tests run replies and definitions through the same checks.
 */

type Json = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** Counted in UTF-16 units, as JavaScript does: never fewer than Discord's own count. */
const embedTotalLimit = 6000;

/** `files` are the names of the files uploaded with the message (plus those it keeps). */
export function messageProblems(message: Json, files: string[] = []): string[] {
  const problems: string[] = [];
  const content = str(message['content']);
  if (content.length > 2000) problems.push(`content: ${content.length} > 2000 characters`);
  const embeds = list(message['embeds']);
  if (embeds.length > 10) problems.push(`embeds: ${embeds.length} > 10`);
  let total = 0;
  embeds.forEach((embed, i) => {
    const at = `embeds.${i}`;
    const limit = (key: string, text: string, max: number) => {
      if (text.length > max) problems.push(`${at}.${key}: ${text.length} > ${max} characters`);
      total += text.length;
    };
    limit('title', str(embed['title']), 256);
    limit('description', str(embed['description']), 4096);
    const footer = (embed['footer'] as Json | undefined) ?? {};
    limit('footer.text', str(footer['text']), 2048);
    const author = (embed['author'] as Json | undefined) ?? {};
    limit('author.name', str(author['name']), 256);
    const fields = list(embed['fields']);
    if (fields.length > 25) problems.push(`${at}.fields: ${fields.length} > 25`);
    fields.forEach((field, j) => {
      const name = str(field['name']);
      const value = str(field['value']);
      if (name.length === 0) problems.push(`${at}.fields.${j}.name: empty`);
      if (value.length === 0) problems.push(`${at}.fields.${j}.value: empty`);
      limit(`fields.${j}.name`, name, 256);
      limit(`fields.${j}.value`, value, 1024);
    });
    for (const key of ['image', 'thumbnail']) {
      const url = str((embed[key] as Json | undefined)?.['url']);
      if (url.startsWith('attachment://') && !files.includes(url.slice('attachment://'.length))) {
        problems.push(`${at}.${key}.url: ${url} names no attachment of the message (${files.join(', ')})`);
      }
    }
  });
  if (total > embedTotalLimit) problems.push(`embeds: ${total} > ${embedTotalLimit} characters in total`);
  problems.push(...componentProblems(list(message['components'])));
  if (files.length > 10) problems.push(`attachments: ${files.length} > 10`);
  for (const attachment of list(message['attachments'])) {
    if (str(attachment['description']).length > 1024) problems.push('attachments.description: > 1024');
  }
  return problems;
}

function componentProblems(rows: Json[]): string[] {
  const problems: string[] = [];
  if (rows.length > 5) problems.push(`components: ${rows.length} > 5 action rows`);
  const customIds = new Set<string>();
  rows.forEach((row, i) => {
    if (row['type'] !== 1) problems.push(`components.${i}: not an action row`);
    const buttons = list(row['components']);
    if (buttons.length === 0 || buttons.length > 5) {
      problems.push(`components.${i}.components: ${buttons.length} buttons (1 to 5)`);
    }
    buttons.forEach((button, j) => {
      const at = `components.${i}.components.${j}`;
      if (button['type'] !== 2) return;
      const label = str(button['label']);
      if (label.length > 80) problems.push(`${at}.label: ${label.length} > 80 characters`);
      if (!label && !button['emoji']) problems.push(`${at}: a button needs a label or an emoji`);
      if (button['style'] === 5) {
        const url = str(button['url']);
        if (!url || url.length > 512) problems.push(`${at}.url: 1 to 512 characters`);
        if ('custom_id' in button) problems.push(`${at}: a link button has no custom_id`);
      } else {
        const id = str(button['custom_id']);
        if (id.length < 1 || id.length > 100) problems.push(`${at}.custom_id: 1 to 100 characters`);
        if (customIds.has(id)) problems.push(`${at}.custom_id: ${id} is not unique`);
        customIds.add(id);
      }
    });
  });
  return problems;
}

export function autocompleteProblems(choices: Json[]): string[] {
  const problems: string[] = [];
  if (choices.length > 25) problems.push(`choices: ${choices.length} > 25`);
  choices.forEach((choice, i) => {
    problems.push(...choiceProblems(choice, `choices.${i}`));
  });
  return problems;
}

function choiceProblems(choice: Json, at: string): string[] {
  const problems: string[] = [];
  const name = str(choice['name']);
  if (name.length < 1 || name.length > 100) problems.push(`${at}.name: 1 to 100 characters`);
  const value = choice['value'];
  if (typeof value === 'string' && value.length > 100) problems.push(`${at}.value: > 100 characters`);
  if (value === undefined || value === null) problems.push(`${at}.value: missing`);
  return problems;
}

/** Command and option names: lowercase letters, digits, `-` and `_`, 1 to 32 characters. */
const namePattern = /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** One chat-input command definition (PUT /applications/{id}/commands body element). */
export function commandProblems(command: Json): string[] {
  const name = str(command['name']);
  const problems: string[] = [];
  if (!namePattern.test(name) || name !== name.toLowerCase()) problems.push(`${name}: invalid command name`);
  const description = str(command['description']);
  if (description.length < 1 || description.length > 100) {
    problems.push(`${name}.description: ${description.length} characters (1 to 100)`);
  }
  let characters = name.length + description.length;
  const visit = (options: Json[], at: string) => {
    if (options.length > 25) problems.push(`${at}.options: ${options.length} > 25`);
    const names = new Set<string>();
    let optionalSeen = false;
    options.forEach((option) => {
      const optionName = str(option['name']);
      const where = `${at}.${optionName}`;
      const type = option['type'];
      if (!namePattern.test(optionName) || optionName !== optionName.toLowerCase()) {
        problems.push(`${where}: invalid option name`);
      }
      if (names.has(optionName)) problems.push(`${where}: duplicate option name`);
      names.add(optionName);
      const optionDescription = str(option['description']);
      if (optionDescription.length < 1 || optionDescription.length > 100) {
        problems.push(`${where}.description: ${optionDescription.length} characters (1 to 100)`);
      }
      characters += optionName.length + optionDescription.length;
      if (type === 1 || type === 2) {
        visit(list(option['options']), where);
        return;
      }
      if (option['required'] === true && optionalSeen) {
        problems.push(`${where}: a required option must come before the optional ones`);
      }
      if (option['required'] !== true) optionalSeen = true;
      const choices = list(option['choices']);
      if (choices.length > 25) problems.push(`${where}.choices: ${choices.length} > 25`);
      if (choices.length > 0 && option['autocomplete'] === true) {
        problems.push(`${where}: autocomplete cannot be combined with choices`);
      }
      choices.forEach((choice, k) => {
        problems.push(...choiceProblems(choice, `${where}.choices.${k}`));
        characters += str(choice['name']).length + String(choice['value'] ?? '').length;
      });
      for (const key of ['min_length', 'max_length']) {
        const value = option[key];
        if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 6000)) {
          problems.push(`${where}.${key}: 0 to 6000`);
        }
      }
      if (typeof option['min_value'] === 'number' && typeof option['max_value'] === 'number') {
        if (option['min_value'] > option['max_value']) problems.push(`${where}: min_value > max_value`);
      }
    });
  };
  visit(list(command['options']), name);
  if (characters > 4000) problems.push(`${name}: ${characters} > 4000 characters in total`);
  return problems;
}
