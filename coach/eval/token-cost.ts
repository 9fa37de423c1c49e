import { answerFromTools, type OpenAiFake } from '../../test/fakes/openai/openai-fake.ts';
import { answerCoachQuestion, type CoachContext, resetCoach } from '../coach.ts';

/**
 * Tokens one typical question costs, measured on the scripted model server: "How is my form today?" —
 * the model calls `current_form`, then answers from its values. Tokens are the fake's estimate (request
 * bytes / 4, the same rule the coach charges a server that reports no usage), so before/after figures
 * compare like with like. `toolDefinitions` is the share of the `tools` array in every request.
 */
export interface TokenCost {
  question: string;
  requests: number;
  prompt: number;
  completion: number;
  total: number;
  toolDefinitions: number;
}

/** Measured with the code before issue 17 (commit 24ab15d): 12 tools offered, memory as a callable tool. */
export const tokenCostBefore = { total: 5666, toolDefinitions: 4800 };

const typicalQuestion = 'How is my form today?';

const formAnswer = answerFromTools([{ name: 'current_form', arguments: {} }], (results) => {
  const form = results.get('current_form')!;
  return `Your fitness (CTL) is ${form.ctl_fitness} and fatigue (ATL) ${form.atl_fatigue}, so your form (TSB) is ${form.tsb_form}: ${form.reading}.`;
});

export async function measureTypicalQuestion(
  ctx: CoachContext,
  athleteId: string,
  fake: OpenAiFake,
): Promise<TokenCost> {
  await resetCoach(ctx.db, athleteId);
  fake.reset();
  fake.setFallback(formAnswer);
  const evalCtx: CoachContext = {
    ...ctx,
    config: { ...ctx.config, coach: { ...ctx.config.coach, dailyTokenBudget: 2_000_000_000 } },
  };
  await answerCoachQuestion(evalCtx, athleteId, typicalQuestion, { timeoutMs: 10_000, maxRetries: 0 });
  const bodies = fake.requests.map((request) => request.body);
  const prompt = bodies.reduce((sum, body) => sum + Math.ceil(JSON.stringify(body).length / 4), 0);
  const toolDefinitions = bodies.reduce(
    (sum, body) => sum + (body.tools ? Math.ceil(JSON.stringify(body.tools).length / 4) : 0),
    0,
  );
  const completion = 0;
  await resetCoach(ctx.db, athleteId);
  fake.reset();
  return {
    question: typicalQuestion,
    requests: bodies.length,
    prompt,
    completion,
    total: prompt + completion,
    toolDefinitions,
  };
}
