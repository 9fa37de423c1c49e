import type { Message } from 'discord.js';
import { answerCoachQuestion, type CoachContext, type CoachOptions } from '../coach/coach.ts';
import { answerWithProposal, proposalButtons } from '../coach/proposal-reply.ts';
import { splitForDiscord } from '../coach/split-for-discord.ts';
import { findAthleteByDiscordId } from '../db/queries/athletes.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import type { BotContext } from './bot-context.ts';
import { toMessageOptions } from './discord-adapter.ts';

/** The part of a Discord DM the coach needs (a discord.js Message adapts to it). */
export interface IncomingDirectMessage {
  authorId: string;
  content: string;
  sendTyping: () => Promise<unknown>;
  /** Sends one message (text, and the Apply/Dismiss buttons under a proposal). */
  send: (reply: Reply) => Promise<unknown>;
}

const maxQuestionChars = 2000;
/** Discord's typing indicator lasts about 10 s: renew it while the coach works. */
const typingEveryMs = 8_000;

/** Answers a DM: strangers are told to /connect; athletes get the coach, split under Discord's limit. */
export async function handleDirectMessage(
  ctx: CoachContext,
  message: IncomingDirectMessage,
  options: CoachOptions = {},
): Promise<void> {
  const question = message.content.trim();
  if (question === '') return;
  const athlete = await findAthleteByDiscordId(ctx.db, message.authorId);
  if (!athlete) {
    await message.send({
      content:
        'I don’t know you yet. Use `/connect` to link your Strava account (or `/upload` a workout file), then ask me anything about your training.',
    });
    return;
  }
  const typing = () => message.sendTyping().catch(() => undefined);
  await typing();
  const timer = setInterval(() => void typing(), typingEveryMs);
  try {
    const answer = await answerCoachQuestion(ctx, athlete.id, question.slice(0, maxQuestionChars), options);
    const chunks = splitForDiscord(answerWithProposal(answer.text, answer.proposal), 2000);
    for (const [i, chunk] of chunks.entries()) {
      // The buttons sit under the last part, where the proposal is listed.
      const last = i === chunks.length - 1;
      await message.send({
        content: chunk,
        ...(last && answer.proposal ? { components: proposalButtons(answer.proposal.id) } : {}),
      });
    }
  } catch (error) {
    ctx.logger.error({ err: error, athleteId: athlete.id }, 'coach DM failed');
    await message.send({
      content: 'Sorry, something went wrong while answering. Please try again in a moment.',
    });
  } finally {
    clearInterval(timer);
  }
}

/** The `onDirectMessage` hook of the bot service. */
export function createDirectMessageHandler(ctx: BotContext): (message: Message) => Promise<void> {
  return async (message) => {
    const channel = message.channel;
    if (!('send' in channel) || !('sendTyping' in channel)) return;
    await handleDirectMessage(ctx, {
      authorId: message.author.id,
      content: message.content,
      sendTyping: () => channel.sendTyping(),
      send: (reply) => channel.send({ ...toMessageOptions(reply), allowedMentions: { parse: [] } }),
    });
  };
}
