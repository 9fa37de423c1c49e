import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  InteractionContextType,
  MessageFlags,
} from 'discord.js';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import type { Invoker, SlashCommand } from './command.ts';
import { clip, toMessageOptions } from './discord-adapter.ts';

/** Past this, a command that did not ask to defer is deferred anyway (Discord's deadline is 3 s). */
const autoDeferAfterMs = 2_000;
/** Progress edits are throttled so a busy job cannot hit Discord's rate limits. */
const progressIntervalMs = 2_000;

export interface InteractionHooks {
  /** Text to show once before the reply (e.g. "your DMs are closed, so the digest is off"). */
  takeNotice?: (userId: string) => Promise<string | null>;
}

/**
 * Routes slash commands, autocomplete and button presses to their command; one try/catch answers every
 * failure with a friendly ephemeral message (logged with the interaction id), never a stack trace.
 */
export function createInteractionHandler<Ctx>(
  commands: SlashCommand<Ctx>[],
  ctx: Ctx,
  logger: Logger,
  hooks: InteractionHooks = {},
) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  const log = logger.child({ subsystem: 'bot' });

  return async function handle(interaction: Interaction): Promise<void> {
    // A notice taken for this command must reach the athlete even when the command then fails.
    const taken: { notice: string | null } = { notice: null };
    try {
      if (interaction.isChatInputCommand()) await runCommand(interaction, taken);
      else if (interaction.isAutocomplete()) await runAutocomplete(interaction);
      else if (interaction.isButton()) await runButton(interaction);
    } catch (error) {
      // An athlete's mistake (not connected, bad value) is routine; only our own failures are errors.
      if (error instanceof AppError && error.code !== 'internal') {
        log.info(
          { interactionId: interaction.id, code: error.code, reason: error.message },
          'interaction refused',
        );
      } else {
        log.error({ err: error, interactionId: interaction.id }, 'interaction failed');
      }
      if (interaction.isRepliable()) await answerError(interaction, error, taken.notice).catch(() => {});
      // Autocomplete cannot show an error; an empty list beats Discord's "Loading options failed".
      else if (interaction.isAutocomplete() && !interaction.responded)
        await interaction.respond([]).catch(() => {});
    }
  };

  async function runCommand(interaction: ChatInputCommandInteraction, taken: { notice: string | null }) {
    const command = byName.get(interaction.commandName);
    if (!command)
      throw new AppError('not_found', {
        message: `unknown command ${interaction.commandName}`,
        userMessage: 'This command is not available any more.',
      });
    const invoker = invokerOf(interaction);
    const parsed = command.options.safeParse(flattenOptions(interaction.options.data));
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `• ${issue.path.join('.') || 'options'}: ${issue.message}`,
      );
      await interaction.reply({
        content: `That didn't work:\n${problems.join('\n')}`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const notice = hooks.takeNotice ? await hooks.takeNotice(invoker.userId) : null;
    taken.notice = notice;
    await respond(interaction, invoker, command.defer ?? false, notice, (progress) =>
      command.execute({ invoker, options: parsed.data, progress }, ctx),
    );
    log.info({ interactionId: interaction.id, command: command.data.name }, 'command answered');
  }

  async function runButton(interaction: ButtonInteraction) {
    const [name = '', action = '', ...args] = interaction.customId.split(':');
    const command = byName.get(name);
    if (!command?.button)
      throw new AppError('not_found', {
        message: `no button handler for ${interaction.customId}`,
        userMessage: 'This button has expired.',
      });
    const invoker = invokerOf(interaction);
    const handler = command.button;
    // Button answers replace the message they sit on, keeping its visibility.
    await interaction.deferUpdate();
    const pace = editPacer();
    const progress = async (reply: Reply) => {
      if (!pace.mayEdit()) return;
      await interaction.editReply(toMessageOptions(reply));
    };
    const reply = await handler({ invoker, action, args, progress }, ctx);
    await pace.beforeFinalEdit();
    await interaction.editReply(toMessageOptions(reply));
  }

  async function runAutocomplete(interaction: AutocompleteInteraction) {
    const command = byName.get(interaction.commandName);
    if (!command?.autocomplete) return interaction.respond([]);
    const focused = interaction.options.getFocused(true);
    const choices = await command.autocomplete(
      {
        invoker: invokerOf(interaction),
        focused: { name: focused.name, value: String(focused.value) },
        options: flattenOptions(interaction.options.data),
      },
      ctx,
    );
    await interaction.respond(
      choices
        // A value longer than Discord's 100 characters would come back cut, naming nothing.
        .filter((c) => c.value.length >= 1 && c.value.length <= 100)
        .slice(0, 25)
        .map((c) => ({ name: clip(c.name, 100) || c.value, value: c.value })),
    );
  }
}

async function respond(
  interaction: ChatInputCommandInteraction,
  invoker: Invoker,
  deferAtOnce: boolean,
  notice: string | null,
  run: (progress: (reply: Reply) => Promise<void>) => Promise<Reply>,
) {
  // Visibility is decided before anything is sent: a deferred reply keeps the flag it was deferred with.
  const ephemeral = invoker.inGuild;
  const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
  // The one deferral, shared: the automatic one (past 2 s) and an explicit one must not both call Discord.
  let deferral: Promise<void> | null = null;
  const defer = () => {
    deferral ??= interaction.deferReply(flags ? { flags } : {}).then(() => {});
    return deferral;
  };
  if (deferAtOnce) await defer();
  const pace = editPacer();
  const progress = async (reply: Reply) => {
    if (!pace.mayEdit()) return;
    await defer();
    await interaction.editReply(toMessageOptions(withNotice(reply, notice)));
  };
  const timer = setTimeout(() => void defer().catch(() => {}), autoDeferAfterMs);
  try {
    const result = await run(progress);
    clearTimeout(timer);
    // A public reply (personal: false) in a server is allowed only when nothing was deferred privately;
    // the athlete's notice is theirs alone, so it then comes as a private follow-up.
    const publicInShared = !deferral && ephemeral && result.personal === false;
    const reply = publicInShared ? result : withNotice(result, notice);
    if (!deferral) {
      const replyFlags = reply.personal === false || !ephemeral ? undefined : MessageFlags.Ephemeral;
      await interaction.reply({ ...toMessageOptions(reply), ...(replyFlags ? { flags: replyFlags } : {}) });
      if (publicInShared && notice) {
        await interaction.followUp({ content: `ℹ️ ${clip(notice, 1900)}`, flags: MessageFlags.Ephemeral });
      }
    } else {
      await deferral;
      await pace.beforeFinalEdit();
      await interaction.editReply(toMessageOptions(reply));
    }
  } catch (error) {
    // A deferral in flight must land first, or the error answer would acknowledge the interaction twice.
    if (deferral) await (deferral as Promise<void>).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Progress edits at most every 2 s: one that comes sooner is dropped, and the final answer waits out
 * the rest of the interval after a progress edit (a short wait, only for commands that show progress).
 */
function editPacer() {
  let last = Number.NEGATIVE_INFINITY;
  return {
    mayEdit: () => {
      if (Date.now() - last < progressIntervalMs) return false;
      last = Date.now();
      return true;
    },
    beforeFinalEdit: async () => {
      const wait = last + progressIntervalMs - Date.now();
      if (wait > 0) await sleep(wait);
    },
  };
}

/** Room kept for the reply's own text when a notice goes first (content is capped at 2000). */
const noticeMax = 600;

function withNotice(reply: Reply, notice: string | null): Reply {
  if (!notice) return reply;
  return { ...reply, content: [`ℹ️ ${clip(notice, noticeMax)}`, reply.content].filter(Boolean).join('\n\n') };
}

async function answerError(
  interaction: ChatInputCommandInteraction | ButtonInteraction | Interaction,
  error: unknown,
  notice: string | null = null,
) {
  if (!interaction.isRepliable()) return;
  const reason =
    error instanceof AppError && error.code !== 'internal'
      ? error.userMessage
      : `Something went wrong on our side. It has been logged (ref ${interaction.id}); please try again in a moment.`;
  const message = withNotice({ content: reason }, notice).content ?? reason;
  if (interaction.deferred && !interaction.replied) {
    // The athlete is looking at "thinking…": replace it with the answer (it keeps its visibility).
    await interaction.editReply({ content: message, embeds: [], components: [], files: [] });
  } else if (interaction.replied) {
    await interaction.followUp({ content: message, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content: message, flags: MessageFlags.Ephemeral });
  }
}

function invokerOf(
  interaction: ChatInputCommandInteraction | ButtonInteraction | AutocompleteInteraction,
): Invoker {
  return {
    userId: interaction.user.id,
    username: interaction.user.username,
    // A user-installed app also answers in group DMs and DMs between people (context 2): others read
    // those, so they are as public as a server. Only the bot's own DM is private.
    inGuild: interaction.inGuild() || interaction.context === InteractionContextType.PrivateChannel,
    interactionId: interaction.id,
    locale: interaction.locale,
  };
}

/** Slash options as one flat record: a subcommand (or group) becomes `subcommand` (`group`). */
function flattenOptions(options: readonly CommandInteractionOption[]): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const option of options) {
    if (option.options && option.type === 2) {
      flat.group = option.name;
      Object.assign(flat, flattenOptions(option.options));
    } else if (option.type === 1) {
      flat.subcommand = option.name;
      Object.assign(flat, flattenOptions(option.options ?? []));
    } else if (option.attachment) {
      const a = option.attachment;
      flat[option.name] = { url: a.url, name: a.name, size: a.size, contentType: a.contentType ?? null };
    } else {
      flat[option.name] = option.value;
    }
  }
  return flat;
}
