import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { answerCoachQuestion, resetCoach } from '../../coach/coach.ts';
import { answerWithProposal, appliedText, proposalButtons } from '../../coach/proposal-reply.ts';
import { applyProposal, dismissProposal, type NotApplied } from '../../coach/proposals.ts';
import { splitForDiscord } from '../../coach/split-for-discord.ts';
import { localDate } from '../../lib/local-time.ts';
import { discordLimits, type Reply } from '../../lib/presentation/reply.ts';
import { forecastForAthlete } from '../../planning/forecast-store.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { requireAthlete } from '../require-athlete.ts';

const Options = z.object({
  question: z.string().trim().max(1000, 'questions are at most 1000 characters').optional(),
  reset: z.boolean().optional(),
  // "/coach reset" typed as a word or sent as a subcommand by a client means the same as reset:true.
  subcommand: z.string().optional(),
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
    if (options.reset || options.subcommand === 'reset' || /^reset[.!]?$/i.test(question)) {
      await resetCoach(ctx.db, athlete.id);
      return { content: 'Done — I have forgotten our conversation. Ask me anything to start afresh.' };
    }
    if (question === '') {
      return { content: 'Ask me something, e.g. `/coach question: How is my form before Saturday’s race?`' };
    }
    const answer = await answerCoachQuestion(ctx, athlete.id, question);
    // The first part as the message, the rest as embeds (one interaction reply carries one message).
    const full = answerWithProposal(answer.text, answer.proposal).trim();
    const first = splitForDiscord(full, discordLimits.content)[0] ?? '';
    const embeds = embedParts(full.slice(first.length).trim());
    return {
      content: first,
      ...(embeds.length > 0 ? { embeds: embeds.map((part) => ({ description: part })) } : {}),
      ...(answer.proposal ? { components: proposalButtons(answer.proposal.id) } : {}),
    };
  },
  // Apply/Dismiss under a coach proposal (`coach:apply:<id>`, `coach:dismiss:<id>`), from /coach or a DM.
  button: async ({ invoker, action, args }, ctx) => {
    const proposalId = args[0] ?? '';
    if (!/^\d{1,18}$/.test(proposalId) || (action !== 'apply' && action !== 'dismiss'))
      return { content: 'This button has expired.' };
    const athlete = await requireAthlete(ctx, invoker.userId);
    if (action === 'dismiss') return outcomeReply(await dismissProposal(ctx.db, athlete.id, proposalId));
    const today = localDate(ctx.now(), athlete.timezone);
    const outcome = await applyProposal(ctx.db, athlete.id, proposalId, today);
    if (outcome.kind !== 'applied') return outcomeReply(outcome);
    ctx.logger.info(
      { athleteId: athlete.id, proposalId, changes: outcome.changes.length },
      'coach proposal applied',
    );
    const forecast = await forecastForAthlete(ctx.db, athlete, today);
    return { content: appliedText(outcome.title, outcome.changes, forecast) };
  },
});

/**
 * Discord allows 6000 characters of embeds in one message. Past that the adapter would clip every part
 * alike, leaving holes mid-answer, so a longer answer is cut once, at a sentence, with a note.
 */
const embedsTotal = 6000;
const cutNote = '… (shortened to fit one reply: DM me for the whole answer)';

/** The rest of a long answer as embed descriptions, within Discord's total for one message. */
function embedParts(rest: string): string[] {
  const text =
    rest.length <= embedsTotal
      ? rest
      : `${splitForDiscord(rest, embedsTotal - cutNote.length - 1)[0] ?? ''}\n${cutNote}`;
  return splitForDiscord(text, discordLimits.embedDescription);
}

/** What the athlete reads when a press did not apply anything (the buttons go away with the answer). */
function outcomeReply(outcome: NotApplied): Reply {
  switch (outcome.kind) {
    case 'dismissed':
      return { content: `Dismissed **${outcome.title}**. Your plan is unchanged.` };
    case 'not_found':
    case 'not_yours':
      return {
        content: 'I can’t find this proposal among yours, so nothing was changed. Ask `/coach` for your own.',
      };
    case 'already':
      return {
        content:
          outcome.status === 'applied'
            ? 'This proposal is already applied to your plan; nothing was changed twice. See `/plan list`.'
            : outcome.status === 'dismissed'
              ? 'This proposal was dismissed, so nothing was changed. Ask `/coach` for a new one.'
              : 'This proposal has expired, so nothing was changed. Ask `/coach` for a fresh one.',
      };
    case 'expired':
      return {
        content:
          'This proposal has expired (after 7 days), so nothing was changed. Ask `/coach` for a fresh one.',
      };
    case 'stale':
      return {
        content:
          'Your plan has changed since this was proposed (a workout was done, moved or removed, or a day has passed), so nothing was changed. Ask `/coach` for a fresh proposal.',
      };
  }
}
