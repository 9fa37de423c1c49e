import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type CoachTestContext, startCoachContext, type TestDatabase } from '../test/context.ts';
import { callTools, type OpenAiFake, say } from '../test/fakes/openai/openai-fake.ts';
import { answerCoachQuestion, type CoachContext, fitResult, loopLimits } from './coach.ts';
import { insertFixtureAthlete } from './eval/fixture.ts';
import { evalAthlete, evalNow } from './eval/questions.ts';

let coach: CoachTestContext;
let database: TestDatabase;
let fake: OpenAiFake;
let athleteId: string;

beforeAll(async () => {
  coach = await startCoachContext({ env: { OPENAI_MODEL: 'greedy' }, now: evalNow });
  ({ database, openai: fake } = coach);
  athleteId = (await insertFixtureAthlete(database.db, evalAthlete())).id;
});

afterAll(() => coach?.stop());

beforeEach(async () => {
  fake.reset();
  await database.db.deleteFrom('coach_usage').execute();
  await database.db.deleteFrom('coach_messages').execute();
});

const context = (budget: number): CoachContext => coach.context({ COACH_DAILY_TOKEN_BUDGET: String(budget) });

/** A greedy model: every round, eight parallel `activities(limit 50)` calls over different months. */
const months = ['05', '06', '07', '08', '09', '10'];
let round = 0;
function greedy() {
  round += 1;
  return callTools(
    ...Array.from({ length: 8 }, (_, i) => ({
      name: 'activities',
      arguments: {
        from: `2026-${months[(round + i) % months.length]}-01`,
        to: `2026-${months[(round + i) % months.length]}-28`,
        sport: i % 2 === 0 ? 'Ride' : 'Run',
        limit: 50,
      },
    })),
  );
}

const usedToday = async () => {
  const row = await database.db.selectFrom('coach_usage').selectAll().executeTakeFirst();
  return row ? row.prompt_tokens + row.completion_tokens : 0;
};

/** Tokens the fake charges a request: its body's size / 4, as in its `usage`. */
const requestTokens = () =>
  fake.requests.map((request) => Math.ceil(JSON.stringify(request.body).length / 4));

it('caps parallel calls, each result and all results together: eight activities(limit 50) calls over four rounds', async () => {
  round = 0;
  fake.script(greedy, greedy, greedy, greedy, say('You trained a lot this season.'));
  const answer = await answerCoachQuestion(context(50_000), athleteId, 'Tell me about my season', {
    timeoutMs: 5_000,
    maxRetries: 0,
  });
  expect(answer.mode).toBe('ai');
  expect(answer.text).toBe('You trained a lot this season.');
  const last = fake.requests.at(-1)!.body;
  const toolMessages = last.messages.filter((message) => message.role === 'tool');
  expect(toolMessages.length).toBeGreaterThan(0);
  // Each message's calls beyond the fourth were not run, and said so.
  const notRun = toolMessages.filter((message) =>
    /Not run: at most 4 tool calls/.test(message.content ?? ''),
  );
  expect(notRun.length).toBe(toolMessages.length / 2);
  for (const message of toolMessages)
    expect((message.content ?? '').length).toBeLessThanOrEqual(loopLimits.resultChars);
  const ran = toolMessages.filter((message) => (message.content ?? '').includes('"activities"'));
  const total = ran.reduce((sum, message) => sum + (message.content ?? '').length, 0);
  expect(total).toBeLessThanOrEqual(loopLimits.allResultsChars);
  // Long lists are cut with a note, their totals still whole.
  expect(ran.some((message) => /"truncated":\{"field":"activities"/.test(message.content ?? ''))).toBe(true);
  // Once the results filled their allowance, the model had to answer.
  expect(fake.requests.at(-1)!.body.tool_choice).toBe('none');
  const spent = await usedToday();
  expect(spent).toBe(answer.tokens.prompt + answer.tokens.completion);
  expect(spent).toBeLessThan(50_000);
  // Before: 158,400 tokens on this question. Every request now stays near the prompt limit.
  for (const tokens of requestTokens()) expect(tokens).toBeLessThanOrEqual(loopLimits.promptTokens + 2_000);
});

it('never overruns the day’s budget by more than one request’s worth, however greedy the model', async () => {
  for (const budget of [6_000, 12_000, 20_000]) {
    fake.reset();
    await database.db.deleteFrom('coach_usage').execute();
    round = 0;
    fake.setFallback(greedy);
    const answer = await answerCoachQuestion(context(budget), athleteId, 'Tell me about my season', {
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    const spent = await usedToday();
    const largest = Math.max(...requestTokens());
    expect(spent - budget).toBeLessThanOrEqual(largest);
    // It stopped before a request it could not pay for, and said so.
    expect(spent).toBeLessThanOrEqual(budget);
    expect(answer.mode).toBe('rule-based');
    expect(answer.fallbackReason).toBe('budget_spent');
    expect(answer.text).toMatch(/not enough is left for another answer/);
  }
});

it('cuts a long list to fit with a note on how to get the rest', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: String(i), name: `Ride ${i}`, km: i }));
  const text = fitResult({ count: 200, totals: { km: 19_900 }, activities: rows }, 2_000);
  expect(text.length).toBeLessThanOrEqual(2_000);
  const parsed = JSON.parse(text) as {
    totals: { km: number };
    activities: unknown[];
    truncated: { shown: number; total: number; note: string };
  };
  expect(parsed.totals.km).toBe(19_900);
  expect(parsed.truncated.total).toBe(200);
  expect(parsed.activities).toHaveLength(parsed.truncated.shown);
  expect(parsed.truncated.note).toMatch(/narrower date range/);
  expect(fitResult({ a: 1 }, 2_000)).toBe('{"a":1}');
});
