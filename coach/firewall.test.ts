import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.ts';
import { computePmc } from '../metrics/pmc.ts';
import { type CoachTestContext, startCoachContext, type TestDatabase } from '../test/context.ts';
import { callTools, type OpenAiFake, say, toolResults } from '../test/fakes/openai/openai-fake.ts';
import { answerCoachQuestion, type CoachContext, coachAdvice } from './coach.ts';
import { type FixtureActivity, insertFixtureAthlete } from './eval/fixture.ts';

const now = new Date('2026-11-01T09:00:00Z');
let coach: CoachTestContext;
let database: TestDatabase;
let fake: OpenAiFake;
let mixed: string;
let apiOnly: string;
let stravaActivityId: string;

const fileRide = (date: string): FixtureActivity => ({
  date,
  name: 'Uploaded ride',
  sport: 'Ride',
  source: 'file_upload',
  movingS: 3600,
  distanceM: 30_000,
  elevationM: 300,
  stress: 64,
  npW: 200,
  intensity: 0.8,
  curve: [
    [60, 320],
    [300, 265],
    [1200, 236],
  ],
  avgHr: 140,
});

// Values that exist only in Strava API activities: none may reach the model.
const stravaRide = (date: string): FixtureActivity => ({
  date,
  name: 'STRAVA_API_RIDE',
  sport: 'Ride',
  source: 'strava_api',
  movingS: 12_345,
  distanceM: 76_543,
  elevationM: 1_234,
  stress: 321.9,
  npW: 347,
  intensity: 0.94,
  curve: [
    [60, 888],
    [300, 777],
    [1200, 555],
  ],
  avgHr: 171,
});
const stravaOnly = [
  'STRAVA_API_RIDE',
  '76.54',
  '76543',
  '321.9',
  '322',
  '347',
  '888',
  '777',
  '555',
  '171',
  '1234',
  '3:25:45',
];

const context = (env: Record<string, string> = {}): CoachContext => coach.context(env);

beforeAll(async () => {
  coach = await startCoachContext({ env: { COACH_STRAVA_DATA: 'exclude' }, now });
  ({ database, openai: fake } = coach);
  const athlete = await insertFixtureAthlete(database.db, {
    discordUserId: '200000000000000001',
    name: 'Mixed',
    thresholds: [{ kind: 'ftp', value: 250, from: '2026-01-01' }],
    activities: [
      fileRide('2026-10-10'),
      stravaRide('2026-10-12'),
      fileRide('2026-10-20'),
      stravaRide('2026-10-25'),
      fileRide('2026-10-28'),
      stravaRide('2026-10-31'),
    ],
  });
  mixed = athlete.id;
  const row = await database.db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', mixed)
    .where('source', '=', 'strava_api')
    .executeTakeFirstOrThrow();
  stravaActivityId = row.id;
  apiOnly = (
    await insertFixtureAthlete(database.db, {
      discordUserId: '200000000000000002',
      name: 'Api only',
      activities: [stravaRide('2026-10-30')],
    })
  ).id;
});

afterAll(() => coach?.stop());

describe('AI firewall (COACH_STRAVA_DATA=exclude)', () => {
  it('sends no value of a Strava API activity to the model, through any tool, memory or the digest advice', async () => {
    // A rule-based answer (no model) uses every source; it must not come back through memory.
    const ruleBased = await answerCoachQuestion({ ...context(), config: loadConfig({}) }, mixed, 'How am I?');
    expect(ruleBased.text).toContain('STRAVA_API_RIDE');

    // Four calls per message at most: every tool over two rounds.
    fake.script(
      callTools(
        { name: 'current_form', arguments: {} },
        { name: 'pmc_range', arguments: { from: '2026-10-01', to: '2026-11-01' } },
        { name: 'activities', arguments: { from: '2026-10-01', to: '2026-11-01', limit: 50 } },
        { name: 'activity_detail', arguments: { activity_id: stravaActivityId } },
      ),
      callTools(
        { name: 'weekly_load', arguments: { weeks: 8 } },
        { name: 'thresholds_zones', arguments: {} },
        { name: 'power_curve', arguments: { from: '2026-10-01', to: '2026-11-01' } },
        {
          name: 'compare_periods',
          arguments: {
            first: { from: '2026-10-01', to: '2026-10-15' },
            second: { from: '2026-10-16', to: '2026-10-31' },
          },
        },
      ),
      say('Your uploaded rides look steady.'),
    );
    const answer = await answerCoachQuestion(context(), mixed, 'Tell me everything', {
      timeoutMs: 2_000,
      maxRetries: 0,
    });
    expect(answer.mode).toBe('ai');
    expect(answer.toolCalls.every((call) => call.ok)).toBe(true);
    await coachAdvice(context(), mixed, { timeoutMs: 2_000, maxRetries: 0 });
    expect(fake.requests.length).toBe(4);

    const wire = JSON.stringify(fake.requests.map((request) => request.body));
    for (const value of stravaOnly) expect(wire, value).not.toContain(value);

    // The PMC the model sees rests on the uploaded rides alone.
    const results = toolResults(fake.requests[2]!.body).map(
      ({ result }) => result as Record<string, unknown>,
    );
    // Memory (quoted in the system message) holds the question, not the rule-based answer's Strava values.
    expect(fake.requests[1]!.body.messages[0]!.content).toContain('How am I?');
    const expected = computePmc(
      ['2026-10-10', '2026-10-20', '2026-10-28'].map((date) => ({ date, stress: 64 })),
      { until: '2026-11-01' },
    ).at(-1)!;
    expect(results[0]!.ctl_fitness).toBe(Number(expected.ctl.toFixed(1)));
    expect(results[0]!.data_sources).toEqual(['file_upload', 'strava_export']);
    expect(results[3]!.error).toMatch(/No activity/);
    expect((results[2]!.activities as unknown[]).length).toBe(3);
    const curve = results[6]!.best_power as { seconds: number; watts: number }[];
    expect(curve.find((point) => point.seconds === 300)?.watts).toBe(265);
  });

  it('says plainly when the firewall leaves the coach without data', async () => {
    fake.reset();
    fake.script(
      callTools(
        { name: 'current_form', arguments: {} },
        { name: 'activities', arguments: { from: '2026-10-01', to: '2026-11-01' } },
      ),
      say('I have no data I may use.'),
    );
    await answerCoachQuestion(context(), apiOnly, 'How am I?', { timeoutMs: 2_000, maxRetries: 0 });
    const results = toolResults(fake.requests[1]!.body).map(({ result }) => JSON.stringify(result));
    for (const result of results) expect(result).toMatch(/COACH_STRAVA_DATA=exclude/);
    const wire = JSON.stringify(fake.requests.map((request) => request.body));
    for (const value of stravaOnly) expect(wire, value).not.toContain(value);
    expect(fake.requests[0]!.body.messages[0]!.content).toMatch(/never Strava API data/);
  });

  it('includes Strava API data when the operator chose include', async () => {
    fake.reset();
    fake.script(
      callTools({ name: 'activities', arguments: { from: '2026-10-01', to: '2026-11-01' } }),
      say('Ok.'),
    );
    await answerCoachQuestion(context({ COACH_STRAVA_DATA: 'include' }), mixed, 'List', {
      timeoutMs: 2_000,
      maxRetries: 0,
    });
    expect(JSON.stringify(fake.requests[1]!.body)).toContain('STRAVA_API_RIDE');
  });
});
