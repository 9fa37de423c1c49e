import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { z } from 'zod';
import type { Reply } from '../lib/presentation/reply.ts';

/** Who is asking, and where: enough for privacy rules and for finding the athlete. */
export interface Invoker {
  userId: string;
  username: string;
  /**
   * True wherever others read the channel: a server, a group DM or a DM between people (user install);
   * false only in the bot's own DM. Personal replies are ephemeral when true.
   */
  inGuild: boolean;
  /** Discord interaction id, for logs. */
  interactionId: string;
  locale?: string;
}

/** Sends progress while a deferred command works: edits the original reply (at most every 2 s). */
export type ProgressUpdater = (reply: Reply) => Promise<void>;

/**
 * One slash command: its Discord definition, a zod schema for its options (flattened: a subcommand
 * arrives as `subcommand`), and handlers that return plain `Reply` values. `Ctx` is what the bot process
 * hands every command (database, services).
 */
export interface SlashCommand<Ctx, Options extends z.ZodType = z.ZodType> {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  options: Options;
  /** Defer before running (work that may take more than Discord's 3 s). */
  defer?: boolean;
  execute: (
    input: { invoker: Invoker; options: z.infer<Options>; progress: ProgressUpdater },
    ctx: Ctx,
  ) => Promise<Reply>;
  /** Autocomplete for the focused option; at most 25 choices. */
  autocomplete?: (
    input: { invoker: Invoker; focused: { name: string; value: string }; options: Record<string, unknown> },
    ctx: Ctx,
  ) => Promise<{ name: string; value: string }[]>;
  /** A press on one of this command's action buttons (`customId` = `<command>:<action>[:args]`). */
  button?: (
    input: { invoker: Invoker; action: string; args: string[]; progress: ProgressUpdater },
    ctx: Ctx,
  ) => Promise<Reply>;
}

export function defineCommand<Ctx, Options extends z.ZodType>(
  command: SlashCommand<Ctx, Options>,
): SlashCommand<Ctx, Options> {
  return command;
}
