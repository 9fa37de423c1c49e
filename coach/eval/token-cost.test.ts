import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CoachTestContext, startCoachContext } from '../../test/context.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { evalAthlete, evalNow } from './questions.ts';
import { measureTypicalQuestion, tokenCostBefore } from './token-cost.ts';

let coach: CoachTestContext;

beforeAll(async () => {
  coach = await startCoachContext({ env: { OPENAI_MODEL: 'm' }, now: evalNow });
});

afterAll(() => coach?.stop());

it('a typical question costs at least 40 % fewer tokens than before the tools were trimmed', async () => {
  const athlete = await insertFixtureAthlete(coach.database.db, evalAthlete());
  const cost = await measureTypicalQuestion(coach.context(), athlete.id, coach.openai);
  console.log(JSON.stringify(cost));
  expect(cost.requests).toBe(2);
  expect(cost.total).toBeLessThanOrEqual(tokenCostBefore.total * 0.6);
});
