import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../test/context.ts';
import { type OpenAiFake, startOpenAiFake } from '../../test/fakes/openai/openai-fake.ts';
import { auditCases, runAuditSuite } from './audit-suite.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { evalAthlete, evalNow } from './questions.ts';

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

it('accepts every correct answer, rejects every labelled mistake, and lets ≤ 2 % of random numbers through', async () => {
  const athlete = await insertFixtureAthlete(database.db, evalAthlete());
  const report = await runAuditSuite(
    {
      config: loadConfig({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: 'm' }),
      logger: createLogger({ level: 'silent' }),
      db: database.db,
      now: () => evalNow,
    },
    athlete.id,
    fake,
    { samples: 1_000 },
  );
  const behaviours = auditCases.map((c) => c.behaviour).join(' | ');
  for (const behaviour of [
    'sign dropped',
    'ATL reported as CTL',
    'old FTP',
    'near a real one',
    'miles',
    'sum',
  ])
    expect(behaviours).toContain(behaviour);
  const wrong = report.results.filter((result) => result.accepted !== (result.expected === 'accept'));
  expect(wrong).toEqual([]);
  expect(report.falseAccepts).toBe(0);
  expect(report.falseRejects).toBe(0);
  expect(report.wrongCases).toBeGreaterThanOrEqual(12);
  expect(report.correctCases).toBeGreaterThanOrEqual(8);
  expect(report.randomNumbers.passRate).toBeLessThanOrEqual(0.02);
});
