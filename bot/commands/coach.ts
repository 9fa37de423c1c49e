import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { answerCoachQuestion, resetCoach } from '../../coach/coach.ts';
import { splitForDiscord } from '../../coach/split-for-discord.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { discordLimits } from '../reply.ts';
import { requireAthlete } from '../require-athlete.ts';

const Options = z.object({
  question: z.string().trim().max(1000, 'questions are at most 1000 characters').optional(),
  reset: z.boolean().optional(),
});

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('coach')
    .setDescription('Ask your coach about your training (answers only you can see)')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addStringOption((o) =>
      o.setName('question').setDescription('e.g. "Am I ready for Saturday’s race?"').setMaxLength(1000),
    )
    .addBooleanOption((o) => o.setName('reset').setDescription('Forget our conversation so far'))
    .toJSON(),
  options: Options,
  defer: true,
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const question = options.question ?? '';
    if (options.reset || /^reset[.!]?$/i.test(question)) {
      await resetCoach(ctx.db, athlete.id);
      return { content: 'Done — I have forgotten our conversation. Ask me anything to start afresh.' };
    }
    if (question === '') {
      return { content: 'Ask me something, e.g. `/coach question: How is my form before Saturday’s race?`' };
    }
    const answer = await answerCoachQuestion(ctx, athlete.id, question);
    // The first part as the message, the rest as embeds (one interaction reply carries one message).
    const [first = '', ...rest] = splitForDiscord(answer.text, discordLimits.content);
    return {
      content: first,
      ...(rest.length > 0 ? { embeds: rest.slice(0, 9).map((part) => ({ description: part })) } : {}),
    };
  },
});
