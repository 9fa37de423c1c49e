import { randomBytes } from 'node:crypto';
import type { APIApplicationCommandOption } from 'discord.js';
import type { BotContext } from '../bot/bot-context.ts';
import type { Invoker, SlashCommand } from '../bot/command.ts';
import { slashCommands } from '../bot/commands/index.ts';
import { handleDirectMessage } from '../bot/direct-message.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { AppError } from '../lib/errors.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import type { AttachmentOption } from './attachments.ts';

/**
 * The console's chat panel talks to the very command handlers and coach the Discord bot uses: a slash
 * command, an autocomplete, a button press or a DM is turned into the same call the interaction handler
 * makes, as the athlete the operator is looking at, in a private conversation (like the bot's own DM).
 */

const byName = new Map(slashCommands.map((command) => [command.data.name, command]));

export function consoleCommands(): SlashCommand<BotContext>[] {
  return slashCommands;
}

function invokerFor(athlete: AthleteRow): Invoker {
  return {
    userId: athlete.discord_user_id,
    username: athlete.name ?? 'athlete',
    inGuild: false,
    interactionId: `console-${randomBytes(6).toString('hex')}`,
  };
}

/**
 * The options a form sent (all strings) as Discord delivers them, flattened like `flattenOptions`: a
 * subcommand becomes `subcommand`, a group `group`, numbers and booleans their types; empty fields are
 * left out, as Discord leaves out options the user did not fill in.
 */
export function optionsFromForm(
  command: SlashCommand<BotContext>,
  form: Record<string, unknown>,
  attachment: (id: string) => AttachmentOption | undefined = () => undefined,
): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  let options: APIApplicationCommandOption[] = command.data.options ?? [];
  const group = typeof form['group'] === 'string' ? form['group'] : '';
  const groupOption = options.find((o) => o.type === 2 && o.name === group);
  if (groupOption && 'options' in groupOption) {
    flat.group = group;
    options = (groupOption.options ?? []) as APIApplicationCommandOption[];
  }
  const sub = typeof form['subcommand'] === 'string' ? form['subcommand'] : '';
  const subOption = options.find((o) => o.type === 1 && o.name === sub);
  if (subOption && 'options' in subOption) {
    flat.subcommand = sub;
    options = (subOption.options ?? []) as APIApplicationCommandOption[];
  }
  for (const option of options) {
    const raw = form[option.name];
    if (raw === undefined || raw === null || raw === '') continue;
    const text = String(raw);
    switch (option.type) {
      case 4:
      case 10: {
        const n = Number(text);
        flat[option.name] = Number.isFinite(n) ? n : text;
        break;
      }
      case 5:
        flat[option.name] = text === 'true' ? true : text === 'false' ? false : text;
        break;
      case 3:
        flat[option.name] = text;
        break;
      case 11: {
        // The id of a file the browser uploaded first, swapped for Discord's url/name/size/content type.
        const file = attachment(text);
        if (file) flat[option.name] = file;
        break;
      }
      default:
        // Users, channels and roles cannot be given in the console.
        break;
    }
  }
  return flat;
}

/** A slash command run as the athlete; failures read as the bot's friendly answers, never a trace. */
export async function runCommand(
  ctx: BotContext,
  athlete: AthleteRow,
  name: string,
  form: Record<string, unknown>,
  attachment?: (id: string) => AttachmentOption | undefined,
): Promise<Reply> {
  const command = byName.get(name);
  if (!command) return { content: 'This command is not available any more.' };
  const invoker = invokerFor(athlete);
  let expired = false;
  const options = optionsFromForm(command, form, (id) => {
    const file = attachment?.(id);
    expired ||= file === undefined;
    return file;
  });
  if (expired)
    return { content: 'That file is no longer held (files are kept a few minutes): pick it again.' };
  const parsed = command.options.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `• ${issue.path.join('.') || 'options'}: ${issue.message}`,
    );
    return { content: `That didn't work:\n${problems.join('\n')}` };
  }
  return answer(ctx, invoker, () =>
    command.execute({ invoker, options: parsed.data, progress: async () => {} }, ctx),
  );
}

export async function runAutocomplete(
  ctx: BotContext,
  athlete: AthleteRow,
  name: string,
  focused: { name: string; value: string },
  form: Record<string, unknown>,
): Promise<{ name: string; value: string }[]> {
  const command = byName.get(name);
  if (!command?.autocomplete) return [];
  try {
    const choices = await command.autocomplete(
      { invoker: invokerFor(athlete), focused, options: optionsFromForm(command, form) },
      ctx,
    );
    return choices.filter((c) => c.value.length >= 1 && c.value.length <= 100).slice(0, 25);
  } catch (error) {
    ctx.logger.warn({ err: error, command: name }, 'console autocomplete failed');
    return [];
  }
}

/** A press on an action button of an earlier reply: `<command>:<action>[:args]`, as on Discord. */
export async function pressButton(ctx: BotContext, athlete: AthleteRow, customId: string): Promise<Reply> {
  const [name = '', action = '', ...args] = customId.split(':');
  const command = byName.get(name);
  if (!command?.button) return { content: 'This button has expired.' };
  const handler = command.button;
  const invoker = invokerFor(athlete);
  return answer(ctx, invoker, () => handler({ invoker, action, args, progress: async () => {} }, ctx));
}

/** A direct message: the coach answers as in a Discord DM, possibly in several messages. */
export async function sendDirectMessage(
  ctx: BotContext,
  athlete: AthleteRow,
  text: string,
): Promise<Reply[]> {
  const replies: Reply[] = [];
  await handleDirectMessage(ctx, {
    authorId: athlete.discord_user_id,
    content: text,
    sendTyping: async () => {},
    send: async (reply) => {
      replies.push(reply);
    },
  });
  return replies;
}

async function answer(ctx: BotContext, invoker: Invoker, run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError && error.code !== 'internal') return { content: error.userMessage };
    ctx.logger.error({ err: error, interactionId: invoker.interactionId }, 'console command failed');
    return {
      content: `Something went wrong on our side. It has been logged (ref ${invoker.interactionId}); please try again in a moment.`,
    };
  }
}
