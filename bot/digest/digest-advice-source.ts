import { coachAdvice } from '../../coach/index.ts';
import type { BotContext } from '../bot-context.ts';
import type { AdviceSource } from './digest-message.ts';

/**
 * The coach's one sentence for the digest when an AI coach is configured (it falls back to its own rule
 * when the model fails or the budget is spent); without one, the digest's rule-based sentence is used.
 */
export function digestAdvice(ctx: BotContext): AdviceSource | undefined {
  if (!ctx.config.coach.apiKey) return undefined;
  return (athlete) => coachAdvice(ctx, athlete.id);
}
