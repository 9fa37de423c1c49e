import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';
import { type OpenAiFake, startOpenAiFake } from '../../test/fakes/openai/openai-fake.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { evalAthlete, evalNow } from './questions.ts';
import { measureTypicalQuestion, tokenCostBefore } from './token-cost.ts';

let database: TestDatabase;
let fake: OpenAiFake;

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startOpenAiFake();
});

afterAll(async () => {
  await fake?.stop();
  await database?.drop();
});

it('a typical question costs at least 40 % fewer tokens than before the tools were trimmed', async () => {
  const athlete = await insertFixtureAthlete(database.db, evalAthlete());
  const cost = await measureTypicalQuestion(
    {
      config: loadConfig({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: 'm' }),
      logger: createLogger({ level: 'silent' }),
      db: database.db,
      now: () => evalNow,
    },
    athlete.id,
    fake,
  );
  console.log(JSON.stringify(cost));
  expect(cost.requests).toBe(2);
  expect(cost.total).toBeLessThanOrEqual(tokenCostBefore.total * 0.6);
});
