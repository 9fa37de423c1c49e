import type { AppContext } from '../../app/context.ts';
import type { AdviceSource } from './digest-message.ts';

/** The coach's one sentence for the digest, when an AI coach is configured; null otherwise. */
export function digestAdvice(ctx: AppContext): AdviceSource | undefined {
  if (!ctx.config.coach.apiKey) return undefined;
  return async () => null;
}
