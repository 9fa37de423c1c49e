import { answerCoachQuestion, type CoachContext, type CoachOptions, resetCoach } from '../coach.ts';
import { mentionsNumber } from '../numbers-audit.ts';
import type { EvalQuestion, Fact } from './questions.ts';

export interface EvalResult {
  id: string;
  question: string;
  mode: 'ai' | 'rule-based';
  fallbackReason: string | null;
  factsFound: number;
  factsTotal: number;
  missing: string[];
  correct: boolean;
  audit: string;
  untraceable: string[];
  tokens: { prompt: number; completion: number };
  latencyMs: number;
  tools: string[];
  answer: string;
}

export interface EvalReport {
  model: string;
  baseUrl: string | null;
  questions: number;
  /** Share of all required facts found in the answers. */
  factAccuracy: number;
  /** Share of questions whose answer contains every required fact. */
  questionAccuracy: number;
  auditFailures: number;
  numbersStripped: number;
  fallbacks: number;
  tokens: { prompt: number; completion: number; total: number };
  latencyMs: { p50: number; p95: number; max: number };
  results: EvalResult[];
}

export function factFound(answer: string, fact: Fact): boolean {
  if (fact.kind === 'words')
    return fact.anyOf.some((word) => answer.toLowerCase().includes(word.toLowerCase()));
  return mentionsNumber(answer, fact.value, fact.tolerance);
}

/**
 * Asks every question of the fixture athlete in a fresh conversation and scores the answers: facts found,
 * audit outcome, tokens and latency per question. The daily token budget is lifted for the run.
 */
export async function runCoachEval(
  ctx: CoachContext,
  athleteId: string,
  questions: EvalQuestion[],
  options: CoachOptions & { onResult?: (result: EvalResult) => void } = {},
): Promise<EvalReport> {
  const evalCtx: CoachContext = {
    ...ctx,
    config: { ...ctx.config, coach: { ...ctx.config.coach, dailyTokenBudget: 2_000_000_000 } },
  };
  const results: EvalResult[] = [];
  for (const question of questions) {
    await resetCoach(ctx.db, athleteId);
    const answer = await answerCoachQuestion(evalCtx, athleteId, question.question, options);
    const missing = question.facts.filter((fact) => !factFound(answer.text, fact)).map((fact) => fact.label);
    const result: EvalResult = {
      id: question.id,
      question: question.question,
      mode: answer.mode,
      fallbackReason: answer.fallbackReason ?? null,
      factsFound: question.facts.length - missing.length,
      factsTotal: question.facts.length,
      missing,
      correct: missing.length === 0 && answer.mode === 'ai',
      audit: answer.audit.outcome,
      untraceable: answer.audit.untraceable,
      tokens: answer.tokens,
      latencyMs: answer.latencyMs,
      tools: answer.toolCalls.map((call) => call.name),
      answer: answer.text,
    };
    results.push(result);
    options.onResult?.(result);
  }
  await resetCoach(ctx.db, athleteId);
  const ai = results.filter((result) => result.mode === 'ai');
  const factsTotal = results.reduce((sum, result) => sum + result.factsTotal, 0);
  const factsFoundAi = ai.reduce((sum, result) => sum + result.factsFound, 0);
  const latencies = results.map((result) => result.latencyMs).sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const prompt = results.reduce((sum, result) => sum + result.tokens.prompt, 0);
  const completion = results.reduce((sum, result) => sum + result.tokens.completion, 0);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Number((a / b).toFixed(3)));
  return {
    model: ctx.config.coach.model,
    baseUrl: ctx.config.coach.baseUrl,
    questions: results.length,
    factAccuracy: ratio(factsFoundAi, factsTotal),
    questionAccuracy: ratio(results.filter((result) => result.correct).length, results.length),
    auditFailures: results.filter(
      (result) => result.audit === 'fixed_on_retry' || result.audit === 'stripped',
    ).length,
    numbersStripped: results.filter((result) => result.audit === 'stripped').length,
    fallbacks: results.length - ai.length,
    tokens: { prompt, completion, total: prompt + completion },
    latencyMs: { p50: percentile(0.5), p95: percentile(0.95), max: latencies.at(-1) ?? 0 },
    results,
  };
}
