import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseContext, startDatabaseContext } from '../../test/context.ts';
import { ruleBasedReply } from '../rule-based.ts';
import { insertFixtureAthlete } from './fixture.ts';
import { evalAthlete, evalNow, evalQuestions } from './questions.ts';
import { addEvalPlan, expectedIntents, ruleBasedQuestions, runRuleBasedEval } from './rule-based-eval.ts';

let base: DatabaseContext;

beforeAll(async () => {
  base = await startDatabaseContext({ now: evalNow });
});

afterAll(() => base?.stop());

it('answers at least 80 % of the evaluation on topic without a model key', async () => {
  const fixture = evalAthlete();
  const athlete = await insertFixtureAthlete(base.database.db, fixture);
  await addEvalPlan(base.database.db, athlete);
  const modelQuestions = evalQuestions(fixture.activities);
  // Every model question has an expected intent, so the two evaluations ask the same things.
  for (const question of modelQuestions) expect(expectedIntents[question.question]).toBeDefined();
  const questions = ruleBasedQuestions(modelQuestions, fixture.activities);
  const report = await runRuleBasedEval(base.context(), athlete, questions);
  const off = report.results.filter((r) => !r.onTopic);
  if (process.env.EVAL_DEBUG)
    for (const r of report.results)
      console.log(
        `${r.onTopic ? 'OK ' : 'OFF'} ${r.id} ${r.question} → ${r.intent} (want ${r.expectedIntent}), missing ${r.missing.join(', ')}\n${r.answer}\n`,
      );
  expect(off.length).toBeLessThanOrEqual(Math.floor(questions.length * 0.2));
  expect(report.questions).toBe(questions.length);
  expect(report.onTopicShare).toBeGreaterThanOrEqual(0.8);
  // A question it cannot answer gets the list of what it can.
  const joke = report.results.find((r) => r.question.startsWith('Tell me a joke'))!;
  expect(joke.intent).toBe('help');
  expect(joke.answer).toContain('I can answer');
  // The FTP question gets the FTP, not today's form.
  const ftp = report.results.find((r) => r.question === 'What is my FTP?')!;
  expect(ftp.answer).toMatch(/FTP:\*\* 265 W/);
  expect(ftp.answer).not.toContain('Form today');
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
});

it('answers an imperial athlete in miles and minutes per mile', async () => {
  const fixture = { ...evalAthlete(), discordUserId: '300000000000000002' };
  const inserted = await insertFixtureAthlete(base.database.db, fixture);
  const athlete = await base.database.db
    .updateTable('athletes')
    .set({ units: 'imperial' })
    .where('id', '=', inserted.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const pace = await ruleBasedReply(
    base.database.db,
    athlete,
    '2026-11-01',
    'What is my threshold run pace?',
  );
  // 270 s/km × 1.609344 = 434.5 s, 7:15 per mile.
  expect(pace.lines.join('\n')).toContain('7:15 /mi');
  const last = await ruleBasedReply(base.database.db, athlete, '2026-11-01', 'What was my last activity?');
  expect(last.lines.join('\n')).toMatch(/\d+\.\d\d mi/);
  expect(last.lines.join('\n')).not.toMatch(/ km\b/);
});
