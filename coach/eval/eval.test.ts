import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CoachTestContext, startCoachContext } from '../../test/context.ts';
import { type ChatRequestBody, callTools, say, toolResults } from '../../test/fakes/openai/openai-fake.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { runCoachEval } from './harness.ts';
import { evalAthlete, evalNow, evalQuestions } from './questions.ts';

let coach: CoachTestContext;

beforeAll(async () => {
  coach = await startCoachContext({ now: evalNow });
});

afterAll(() => coach?.stop());

/**
 * A stand-in model good enough to prove the harness: it calls a fixed set of tools, then answers with
 * every labelled number they returned (so its answers pass the numbers audit by construction).
 */
function toyModel(request: ChatRequestBody) {
  const results = toolResults(request);
  if (results.length === 0) {
    return callTools(
      { name: 'current_form', arguments: {} },
      { name: 'thresholds_zones', arguments: {} },
      { name: 'weekly_load', arguments: { weeks: 4 } },
      { name: 'power_curve', arguments: { from: '2026-05-01', to: '2026-11-01' } },
    );
  }
  // Each value under its key path in words ("change since 7 days ago ctl: 1.2"), as the audit reads labels;
  // ids, zone numbers, curve durations and percentages (written "%" by a coach) are left out.
  const lines: string[] = [];
  const walk = (value: unknown, path: string[]) => {
    const key = path.at(-1) ?? '';
    if (/(^|_)id$|^zone$|^seconds$|pct/.test(key)) return;
    const label = path.join(' ').replaceAll('_', ' ');
    if (typeof value === 'number') lines.push(`${label}: ${value}`);
    else if (typeof value === 'string' && /^\d+:\d{2}$/.test(value)) lines.push(`${label}: ${value}`);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? path : [...path, k]);
  };
  for (const { result } of results) walk(result, []);
  return say(lines.join('\n'));
}

it('runs the thirty-question evaluation against an OpenAI-compatible server and reports per question', async () => {
  const fixture = evalAthlete();
  const athlete = await insertFixtureAthlete(coach.database.db, fixture);
  const questions = evalQuestions(fixture.activities);
  expect(questions).toHaveLength(30);
  for (const question of questions) expect(question.facts.length).toBeGreaterThan(0);
  coach.openai.setFallback(toyModel);
  const report = await runCoachEval(
    coach.context({ OPENAI_MODEL: 'toy', COACH_DAILY_TOKEN_BUDGET: '1000' }),
    athlete.id,
    questions,
    { timeoutMs: 5_000, maxRetries: 0 },
  );
  expect(report.questions).toBe(30);
  expect(report.results).toHaveLength(30);
  expect(report.fallbacks).toBe(0);
  expect(report.auditFailures).toBe(0);
  expect(report.tokens.total).toBeGreaterThan(0);
  for (const result of report.results) {
    expect(result.mode).toBe('ai');
    expect(result.tools).toContain('current_form');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  }
  // The toy model states form, thresholds and power bests, so those questions pass; counts and
  // comparisons need tools it never calls, so they fail: the scoring tells them apart.
  const byId = new Map(report.results.map((result) => [result.question, result]));
  expect(byId.get('What is my FTP?')?.correct).toBe(true);
  expect(byId.get('What is my current form (TSB)?')?.factsFound).toBeGreaterThanOrEqual(1);
  expect(byId.get('What is my best 5-minute power this season?')?.correct).toBe(true);
  expect(byId.get('How did the Autumn Classic race go? What was my normalized power?')?.correct).toBe(false);
  expect(report.factAccuracy).toBeGreaterThan(0);
  expect(report.factAccuracy).toBeLessThan(1);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
});
