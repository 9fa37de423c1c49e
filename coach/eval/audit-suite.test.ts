import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CoachTestContext, startCoachContext } from '../../test/context.ts';
import { auditCases, runAuditSuite } from './audit-suite.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { evalAthlete, evalNow } from './questions.ts';

let coach: CoachTestContext;

beforeAll(async () => {
  coach = await startCoachContext({ env: { OPENAI_MODEL: 'm' }, now: evalNow });
});

afterAll(() => coach?.stop());

it('accepts every correct answer, rejects every labelled mistake, and lets ≤ 2 % of random numbers through', async () => {
  const athlete = await insertFixtureAthlete(coach.database.db, evalAthlete());
  const report = await runAuditSuite(coach.context(), athlete.id, coach.openai, { samples: 1_000 });
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
