import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BotContext } from '../bot/bot-context.ts';
import type { Invoker } from '../bot/command.ts';
import coachCommand from '../bot/commands/coach.ts';
import { handleDirectMessage } from '../bot/direct-message.ts';
import { insertPlan, upsertGoal } from '../db/queries/planning.ts';
import type { AthleteRow } from '../db/tables/athletes.ts';
import { signed } from '../lib/format.ts';
import type { Reply } from '../lib/presentation/reply.ts';
import { forecastPmc } from '../planning/forecast.ts';
import { forecastBasis, forecastForAthlete } from '../planning/forecast-store.ts';
import { type CoachTestContext, noProgress, startCoachContext, type TestDatabase } from '../test/context.ts';
import {
  callTools,
  type FakeToolCall,
  type OpenAiFake,
  say,
  toolResults,
} from '../test/fakes/openai/openai-fake.ts';
import { answerCoachQuestion } from './coach.ts';
import { firewallSources, pmcFromSources } from './data-scope.ts';
import { type FixtureActivity, insertFixtureAthlete } from './eval/fixture.ts';

// Wednesday 25 Nov 2026; the athletes are in UTC, so today is 2026-11-25.
const now = new Date('2026-11-25T09:00:00Z');
const today = '2026-11-25';
const goalDate = '2026-12-06';
const fast = { timeoutMs: 2_000, maxRetries: 0 };

let coach: CoachTestContext;
let database: TestDatabase;
let fake: OpenAiFake;
let alice: AthleteRow;
let bob: AthleteRow;
let mixed: AthleteRow;
/** Alice's plans by title. */
const plan: Record<string, string> = {};
let bobPlanId: string;

const ride = (date: string, source: FixtureActivity['source'], stress: number): FixtureActivity => ({
  date,
  name: source === 'strava_api' ? 'STRAVA_API_RIDE' : 'Uploaded ride',
  sport: 'Ride',
  source,
  movingS: 3600,
  distanceM: 30_000,
  elevationM: 300,
  stress,
  npW: 200,
});

function context(env: Record<string, string> = {}): BotContext {
  return coach.context(env);
}

const invoker = (athlete: AthleteRow): Invoker => ({
  userId: athlete.discord_user_id,
  username: athlete.name ?? 'athlete',
  inGuild: false,
  interactionId: '1',
});

const press = (athlete: AthleteRow, action: 'apply' | 'dismiss', proposalId: string, ctx = context()) =>
  coachCommand.button!({ invoker: invoker(athlete), action, args: [proposalId], progress: noProgress }, ctx);

const ask = (athlete: AthleteRow, question: string, ctx = context()) => {
  const options = coachCommand.options.parse({ question });
  return coachCommand.execute({ invoker: invoker(athlete), options, progress: noProgress }, ctx);
};

const plansOf = (athleteId: string) =>
  database.db
    .selectFrom('planned_workouts')
    .select(['id', 'date', 'sport', 'title', 'planned_stress', 'planned_duration_s', 'status', 'moved_from'])
    .where('athlete_id', '=', athleteId)
    .orderBy('date')
    .orderBy('id')
    .execute();

const proposalsOf = (athleteId: string) =>
  database.db
    .selectFrom('coach_proposals')
    .selectAll()
    .where('athlete_id', '=', athleteId)
    .orderBy('id')
    .execute();

/** The taper the model proposes in these tests: one change of each kind. */
const taper = (): Record<string, unknown> & { changes: unknown[] } => ({
  title: 'Taper for Club TT',
  changes: [
    { action: 'delete', plan_id: plan['Run intervals'] },
    { action: 'move', plan_id: plan['Long ride'], to_date: '2026-11-29' },
    { action: 'replace', plan_id: plan['Threshold'], title: 'Easy spin', stress_tss: 35, duration_min: 45 },
    { action: 'add', date: '2026-12-05', sport: 'Ride', title: 'Openers', stress_tss: 40, duration_min: 40 },
  ],
});

/** Alice's plan with the taper made by hand: the stress the forecast should run over. */
const taperedByHand = [
  { date: '2026-11-26', stress: 60 },
  { date: '2026-11-29', stress: 220 },
  { date: '2026-12-03', stress: 35 },
  // "Pre-race spin" has only a duration: 60 min at the ride estimate of 50 TSS/h.
  { date: '2026-12-05', stress: 50 },
  { date: '2026-12-05', stress: 40 },
];

beforeAll(async () => {
  coach = await startCoachContext({ now });
  ({ database, openai: fake } = coach);
  alice = await insertFixtureAthlete(database.db, {
    discordUserId: '300000000000000001',
    name: 'Alice',
    activities: [
      ride('2026-11-10', 'file_upload', 70),
      ride('2026-11-15', 'file_upload', 95),
      ride('2026-11-20', 'file_upload', 80),
      ride('2026-11-24', 'file_upload', 55),
    ],
  });
  const add = async (
    athlete: AthleteRow,
    date: string,
    sport: string,
    title: string,
    stress: number | null,
  ) => {
    const row = await insertPlan(database.db, athlete.id, {
      date,
      sport,
      title,
      plannedStress: stress,
      plannedDurationS: 3600,
    });
    return row.id;
  };
  plan['Recovery'] = await add(alice, '2026-11-26', 'Ride', 'Recovery', 60);
  plan['Long ride'] = await add(alice, '2026-11-28', 'Ride', 'Long ride', 220);
  plan['Run intervals'] = await add(alice, '2026-12-01', 'Run', 'Run intervals', 80);
  plan['Threshold'] = await add(alice, '2026-12-03', 'Ride', 'Threshold', 90);
  plan['Pre-race spin'] = await add(alice, '2026-12-05', 'Ride', 'Pre-race spin', null);
  await upsertGoal(database.db, alice.id, { date: goalDate, name: 'Club TT', targetTsb: 10 });

  bob = await insertFixtureAthlete(database.db, {
    discordUserId: '300000000000000002',
    name: 'Bob',
    activities: [ride('2026-11-20', 'file_upload', 150)],
  });
  bobPlanId = await add(bob, '2026-11-27', 'Ride', 'BOB SECRET PLAN', 777);
  await upsertGoal(database.db, bob.id, { date: '2026-12-13', name: 'BOB SECRET RACE', targetTsb: 5 });

  // Uploaded rides and Strava API rides; the API rides weigh heavily so the two PMCs differ a lot.
  mixed = await insertFixtureAthlete(database.db, {
    discordUserId: '300000000000000003',
    name: 'Mixed',
    activities: [
      ride('2026-11-08', 'file_upload', 64),
      ride('2026-11-12', 'strava_api', 321.9),
      ride('2026-11-16', 'file_upload', 64),
      ride('2026-11-19', 'strava_api', 321.9),
      ride('2026-11-22', 'file_upload', 64),
      ride('2026-11-23', 'strava_api', 321.9),
    ],
  });
  await add(mixed, '2026-11-27', 'Ride', 'Tempo', 90);
  await add(mixed, '2026-11-30', 'Ride', 'Sweet spot', 100);
  const mixedDone = await add(mixed, '2026-11-23', 'Ride', 'Big day', 300);
  const apiRide = await database.db
    .selectFrom('activities')
    .select('id')
    .where('athlete_id', '=', mixed.id)
    .where('local_date', '=', '2026-11-23')
    .executeTakeFirstOrThrow();
  await database.db
    .updateTable('planned_workouts')
    .set({ activity_id: apiRide.id, matched_by: 'auto', status: 'done' })
    .where('id', '=', mixedDone)
    .execute();
  await upsertGoal(database.db, mixed.id, { date: '2026-12-02', name: 'Hill climb', targetTsb: 8 });
});

afterAll(() => coach?.stop());

beforeEach(async () => {
  fake.reset();
  await database.db.deleteFrom('coach_proposals').execute();
  await database.db.deleteFrom('coach_messages').execute();
  await database.db.deleteFrom('coach_usage').execute();
});

/** Runs one scripted answer: the tool calls, then a plain reply; returns the tool results the model saw. */
async function toolRound(athlete: AthleteRow, calls: FakeToolCall[], ctx = context()) {
  fake.script(callTools(...calls), say('Here is what I found.'));
  const answer = await answerCoachQuestion(ctx, athlete.id, 'Plan question', fast);
  const results = toolResults(fake.requests.at(-1)!.body)
    .filter(({ toolCallId }) => toolCallId !== 'memory000')
    .map(({ result }) => result as Record<string, unknown>);
  return { answer, results };
}

const oneDecimal = (value: number) => Number(value.toFixed(1));

describe('plan_read', () => {
  it('reads the athlete’s own plan and goals only, with ids, status and stress', async () => {
    const { results } = await toolRound(alice, [
      { name: 'plan_read', arguments: { from: '2026-11-20', to: '2026-12-31' } },
    ]);
    const read = results[0]!;
    const plans = read.plans as { id: string; title: string; planned_stress_tss: number; status: string }[];
    expect(plans.map((p) => p.title)).toEqual([
      'Recovery',
      'Long ride',
      'Run intervals',
      'Threshold',
      'Pre-race spin',
    ]);
    expect(plans.find((p) => p.title === 'Pre-race spin')).toMatchObject({
      id: plan['Pre-race spin'],
      planned_stress_tss: 50,
      stress_estimated_from_duration: true,
      status: 'planned',
    });
    expect(read.goals).toEqual([{ date: goalDate, name: 'Club TT', target_tsb: 10 }]);
    const wire = JSON.stringify(fake.requests.map((request) => request.body));
    expect(wire).not.toContain('BOB SECRET');
    expect(wire).not.toContain('777');
  });

  it('cannot reach another athlete’s plan through a plan id', async () => {
    const { results } = await toolRound(alice, [
      { name: 'plan_what_if', arguments: { changes: [{ action: 'delete', plan_id: bobPlanId }] } },
      {
        name: 'plan_propose',
        arguments: {
          title: 'Sneaky',
          changes: [{ action: 'move', plan_id: bobPlanId, to_date: '2026-12-01' }],
        },
      },
    ]);
    for (const result of results) {
      expect(result.error).toMatch(/do not fit/);
      expect(JSON.stringify(result.problems)).toMatch(/not an open \(not yet done\) plan/);
    }
    expect(await proposalsOf(alice.id)).toEqual([]);
    expect((await plansOf(bob.id)).map((p) => p.date)).toEqual(['2026-11-27']);
  });
});

describe('plan_what_if', () => {
  it('forecasts the changed plan exactly as forecastPmc does on the plan changed by hand', async () => {
    const before = await plansOf(alice.id);
    const { results } = await toolRound(alice, [
      { name: 'plan_what_if', arguments: { changes: taper().changes } },
    ]);
    const whatIf = results[0]!;
    const basis = await forecastBasis(database.db, alice, today);
    const byHand = forecastPmc({
      start: basis.start,
      from: today,
      until: goalDate,
      done: basis.done,
      planned: taperedByHand,
      // As the athlete counts unplanned days (the default: their recent average).
      unplanned: alice.forecast_unplanned,
      recentAverage: basis.recentAverage,
    });
    const raceDay = byHand.at(-1)!;
    expect(raceDay.date).toBe(goalDate);
    const current = (await forecastForAthlete(database.db, alice, today))!.days.at(-1)!;
    const [goal] = whatIf.goal_days as {
      name: string;
      current_plan: { ctl: number; atl: number; tsb: number };
      with_changes: { ctl: number; atl: number; tsb: number };
      tsb_change: number;
    }[];
    expect(goal!.name).toBe('Club TT');
    expect(goal!.with_changes).toMatchObject({
      ctl: oneDecimal(raceDay.ctl),
      atl: oneDecimal(raceDay.atl),
      tsb: oneDecimal(raceDay.tsb),
    });
    expect(goal!.current_plan).toMatchObject({
      ctl: oneDecimal(current.ctl),
      atl: oneDecimal(current.atl),
      tsb: oneDecimal(current.tsb),
    });
    expect(goal!.tsb_change).toBe(oneDecimal(raceDay.tsb - current.tsb));
    expect(goal!.with_changes.tsb).toBeGreaterThan(goal!.current_plan.tsb);
    // Every day of the forecast, not just race day.
    const rows = whatIf.rows as (string | number)[][];
    expect(rows.map((row) => row[0])).toEqual(byHand.map((day) => day.date));
    expect(rows.map((row) => row[6])).toEqual(byHand.map((day) => oneDecimal(day.tsb)));
    // A what-if changes nothing.
    expect(await plansOf(alice.id)).toEqual(before);
    expect(await proposalsOf(alice.id)).toEqual([]);
  });

  it('names the problem when a change does not fit', async () => {
    const { results } = await toolRound(alice, [
      {
        name: 'plan_what_if',
        arguments: {
          changes: [
            { action: 'move', plan_id: plan['Long ride'], to_date: '2026-11-01' },
            { action: 'add', date: '2026-12-01', sport: 'Run', title: 'Jog' },
            { action: 'delete', plan_id: plan['Threshold'] },
            { action: 'delete', plan_id: plan['Threshold'] },
          ],
        },
      },
    ]);
    expect(results[0]!.problems).toEqual([
      expect.stringMatching(/2026-11-01 is in the past/),
      expect.stringMatching(/give stress_tss or duration_min/),
      expect.stringMatching(/changed twice/),
    ]);
  });
});

describe('plan_propose and the confirm button', () => {
  /** The model reads the plan, proposes the taper and answers; returns the /coach reply and proposal id. */
  async function proposeTaper(ctx = context()): Promise<{ reply: Reply; proposalId: string }> {
    fake.script(
      callTools({ name: 'plan_propose', arguments: taper() }),
      say('I have proposed a taper for Club TT: lighter days before the race.'),
    );
    const reply = await ask(alice, 'Can you taper my plan for the TT?', ctx);
    const [proposal] = await proposalsOf(alice.id);
    return { reply, proposalId: proposal!.id };
  }

  it('stores a pending proposal, writes nothing to the plan, and the reply lists the changes with buttons', async () => {
    const before = await plansOf(alice.id);
    const { reply, proposalId } = await proposeTaper();
    expect(await plansOf(alice.id)).toEqual(before);
    const [stored] = await proposalsOf(alice.id);
    expect(stored).toMatchObject({ title: 'Taper for Club TT', status: 'pending', resolved_at: null });
    expect(stored!.expires_at.getTime() - stored!.created_at.getTime()).toBe(7 * 86_400_000);
    expect((stored!.changes as { action: string }[]).map((c) => c.action)).toEqual([
      'delete',
      'move',
      'replace',
      'add',
    ]);
    expect(reply.content).toContain('I have proposed a taper');
    expect(reply.content).toContain('**Proposed: Taper for Club TT** — not applied yet');
    expect(reply.content).toContain('• Remove — Tue 1 Dec — Run — Run intervals — 80 TSS');
    expect(reply.content).toContain('• Move — Sat 28 Nov → Sun 29 Nov — Ride — Long ride — 220 TSS');
    expect(reply.content).toContain(
      '• Replace — Thu 3 Dec — Ride — Threshold — 90 TSS → Ride — Easy spin — 35 TSS',
    );
    expect(reply.content).toContain('• Add — Sat 5 Dec — Ride — Openers — 40 TSS');
    expect(reply.content).toMatch(
      /Race-day form \(Club TT, Sun 6 Dec\): TSB [+−]?\d+\.\d with your current plan/,
    );
    expect(reply.components).toEqual([
      [
        {
          kind: 'action',
          label: 'Apply to my plan',
          customId: `coach:apply:${proposalId}`,
          style: 'success',
        },
        { kind: 'action', label: 'Dismiss', customId: `coach:dismiss:${proposalId}`, style: 'secondary' },
      ],
    ]);
    // The model was told it is only a proposal.
    const result = toolResults(fake.requests[1]!.body).at(-1)!.result as Record<string, unknown>;
    expect(result.note).toMatch(/NOT applied/);
    expect(fake.requests[0]!.body.messages[0]!.content).toMatch(/never say a change was made/);
  });

  it('gives no buttons to an answer without a proposal', async () => {
    fake.script(say('Keep riding.'));
    const reply = await ask(alice, 'Any tips?');
    expect(reply.components).toBeUndefined();
  });

  it('applies exactly the proposed changes when the owner presses Apply, and only once', async () => {
    const { proposalId } = await proposeTaper();
    const others = await plansOf(bob.id);
    const applied = await press(alice, 'apply', proposalId);
    expect(applied.content).toContain('✅ **Applied: Taper for Club TT**');
    expect(applied.content).toMatch(
      /Race-day forecast \(Club TT, Sun 6 Dec\): fitness \d+\.\d, fatigue \d+\.\d, form [+−]?\d+\.\d \(target \+10\.0\)/,
    );
    expect(applied.components).toBeUndefined();
    const after = await plansOf(alice.id);
    expect(
      after.map(({ date, sport, title, planned_stress, status }) => ({
        date,
        sport,
        title,
        planned_stress,
        status,
      })),
    ).toEqual([
      { date: '2026-11-26', sport: 'Ride', title: 'Recovery', planned_stress: 60, status: 'planned' },
      { date: '2026-11-29', sport: 'Ride', title: 'Long ride', planned_stress: 220, status: 'moved' },
      { date: '2026-12-03', sport: 'Ride', title: 'Easy spin', planned_stress: 35, status: 'planned' },
      { date: '2026-12-05', sport: 'Ride', title: 'Pre-race spin', planned_stress: null, status: 'planned' },
      { date: '2026-12-05', sport: 'Ride', title: 'Openers', planned_stress: 40, status: 'planned' },
    ]);
    expect(after.find((p) => p.title === 'Long ride')?.moved_from).toBe('2026-11-28');
    expect(after.find((p) => p.title === 'Openers')?.planned_duration_s).toBe(2400);
    const [stored] = await proposalsOf(alice.id);
    expect(stored).toMatchObject({ status: 'applied', resolved_at: expect.any(Date) });
    // The forecast in the reply is the new plan's.
    const forecast = (await forecastForAthlete(database.db, alice, today))!;
    expect(applied.content).toContain(`form ${signed(forecast.days.at(-1)!.tsb)}`);

    // The conversation remembers it, so the next answer knows the plan it reads is the proposed one.
    const remembered = await database.db
      .selectFrom('coach_messages')
      .select(['role', 'content'])
      .where('athlete_id', '=', alice.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(remembered).toEqual({
      role: 'assistant',
      content: 'The athlete applied the plan change "Taper for Club TT" (4 changes).',
    });

    const again = await press(alice, 'apply', proposalId);
    expect(again.content).toMatch(/already applied to your plan; nothing was changed twice/);
    expect(await plansOf(alice.id)).toEqual(after);
    expect(await plansOf(bob.id)).toEqual(others);
    await restoreAlicePlan();
  });

  it('applies once when Apply is pressed twice at the same moment', async () => {
    const { proposalId } = await proposeTaper();
    const replies = await Promise.all([press(alice, 'apply', proposalId), press(alice, 'apply', proposalId)]);
    expect(replies.filter((r) => r.content?.startsWith('✅'))).toHaveLength(1);
    expect(replies.filter((r) => /already applied/.test(r.content ?? ''))).toHaveLength(1);
    expect((await plansOf(alice.id)).filter((p) => p.title === 'Openers')).toHaveLength(1);
    await restoreAlicePlan();
  });

  it('refuses Apply from anyone but the proposal’s athlete', async () => {
    const { proposalId } = await proposeTaper();
    const before = await plansOf(alice.id);
    const refused = await press(bob, 'apply', proposalId);
    expect(refused.content).toMatch(/among yours, so nothing was changed/);
    const dismissed = await press(bob, 'dismiss', proposalId);
    expect(dismissed.content).toMatch(/among yours, so nothing was changed/);
    expect(await plansOf(alice.id)).toEqual(before);
    expect((await proposalsOf(alice.id))[0]!.status).toBe('pending');
    // Someone who is not an athlete at all.
    const stranger = { ...bob, discord_user_id: '399999999999999999' };
    await expect(press(stranger, 'apply', proposalId)).rejects.toMatchObject({ code: 'not_connected' });
    expect(await plansOf(alice.id)).toEqual(before);
  });

  it('dismisses: the plan stays as it was, and Apply afterwards is refused', async () => {
    const { proposalId } = await proposeTaper();
    const before = await plansOf(alice.id);
    const dismissed = await press(alice, 'dismiss', proposalId);
    expect(dismissed.content).toBe('Dismissed **Taper for Club TT**. Your plan is unchanged.');
    expect((await proposalsOf(alice.id))[0]!.status).toBe('dismissed');
    const apply = await press(alice, 'apply', proposalId);
    expect(apply.content).toMatch(/was dismissed, so nothing was changed/);
    expect(await plansOf(alice.id)).toEqual(before);
  });

  it('refuses an expired proposal', async () => {
    const { proposalId } = await proposeTaper();
    const before = await plansOf(alice.id);
    await database.db
      .updateTable('coach_proposals')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', proposalId)
      .execute();
    const apply = await press(alice, 'apply', proposalId);
    expect(apply.content).toMatch(/has expired .*nothing was changed/);
    expect((await proposalsOf(alice.id))[0]!.status).toBe('expired');
    expect(await plansOf(alice.id)).toEqual(before);
  });

  it('refuses, writing nothing, when the plan changed since the proposal', async () => {
    const { proposalId } = await proposeTaper();
    await database.db.deleteFrom('planned_workouts').where('id', '=', plan['Threshold']!).execute();
    const before = await plansOf(alice.id);
    const apply = await press(alice, 'apply', proposalId);
    expect(apply.content).toMatch(/plan has changed since/);
    expect(await plansOf(alice.id)).toEqual(before);
    expect((await proposalsOf(alice.id))[0]!.status).toBe('pending');
    await restoreAlicePlan();
  });

  it('sends the buttons under the proposal in a DM too', async () => {
    fake.script(
      callTools({ name: 'plan_propose', arguments: taper() }),
      say('I have proposed a taper for Club TT.'),
    );
    const sent: Reply[] = [];
    await handleDirectMessage(
      context(),
      {
        authorId: alice.discord_user_id,
        content: 'Taper please',
        sendTyping: async () => undefined,
        send: async (reply) => {
          sent.push(reply);
        },
      },
      fast,
    );
    const [proposal] = await proposalsOf(alice.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.content).toContain('• Add — Sat 5 Dec — Ride — Openers — 40 TSS');
    expect(sent[0]!.components?.[0]?.map((b) => (b.kind === 'action' ? b.customId : ''))).toEqual([
      `coach:apply:${proposal!.id}`,
      `coach:dismiss:${proposal!.id}`,
    ]);
  });

  it('withdraws a proposal superseded within the same answer: only the last one has buttons', async () => {
    fake.script(
      callTools({ name: 'plan_propose', arguments: { ...taper(), title: 'First try' } }),
      callTools({ name: 'plan_propose', arguments: taper() }),
      say('Proposed.'),
    );
    const reply = await ask(alice, 'Taper?');
    const [first, second] = await proposalsOf(alice.id);
    expect([first!.status, second!.status]).toEqual(['dismissed', 'pending']);
    expect(JSON.stringify(reply.components)).toContain(`coach:apply:${second!.id}`);
  });
});

describe('AI firewall (COACH_STRAVA_DATA=exclude)', () => {
  it('starts the what-if from the PMC of uploaded files only, and hides Strava API activities in plan_read', async () => {
    const ctx = context({ COACH_STRAVA_DATA: 'exclude' });
    const { results } = await toolRound(
      mixed,
      [
        { name: 'plan_read', arguments: { from: '2026-11-20', to: '2026-12-10' } },
        {
          name: 'plan_what_if',
          arguments: { changes: [{ action: 'delete', plan_id: await planIdOf(mixed, 'Sweet spot') }] },
        },
      ],
      ctx,
    );
    const whatIf = results[1]!;
    // The expected start: the PMC of the uploaded rides only, on yesterday.
    const allowed = await pmcFromSources(database.db, mixed, firewallSources, today);
    const yesterday = allowed.find((row) => row.date === '2026-11-24')!;
    expect(whatIf.start_yesterday).toEqual({
      ctl: oneDecimal(yesterday.ctl),
      atl: oneDecimal(yesterday.atl),
    });
    expect(whatIf.data_sources).toEqual(['file_upload', 'strava_export']);

    // Every PMC value that rests on the Strava API rides: the stored start, and both goal-day forecasts.
    const full = await forecastBasis(database.db, mixed, today);
    const fullForecast = (await forecastForAthlete(database.db, mixed, today))!;
    const fullGoal = fullForecast.days.find((d) => d.date === '2026-12-02')!;
    const apiDerived = [full.start.ctl, full.start.atl, fullGoal.ctl, fullGoal.atl, fullGoal.tsb].map((v) =>
      v.toFixed(1),
    );
    const wire = JSON.stringify(fake.requests.map((request) => request.body));
    for (const value of apiDerived) {
      expect(wire, value).not.toMatch(new RegExp(`(?<![\\d.])${value.replace('.', '\\.')}(?![\\d])`));
    }
    for (const value of ['STRAVA_API_RIDE', '321.9', '322']) expect(wire, value).not.toContain(value);
    // The plan fulfilled by a Strava API ride says so without its numbers.
    const read = results[0]!.plans as { title: string; fulfilled_by?: unknown; status: string }[];
    expect(read.find((p) => p.title === 'Big day')).toMatchObject({
      status: 'done',
      fulfilled_by: 'an activity the coach may not see (Strava API data)',
    });
  });

  it('includes the Strava API rides when the operator chose include', async () => {
    const { results } = await toolRound(mixed, [
      {
        name: 'plan_what_if',
        arguments: { changes: [{ action: 'delete', plan_id: await planIdOf(mixed, 'Sweet spot') }] },
      },
    ]);
    const full = await forecastBasis(database.db, mixed, today);
    expect(results[0]!.start_yesterday).toEqual({
      ctl: oneDecimal(full.start.ctl),
      atl: oneDecimal(full.start.atl),
    });
  });
});

async function planIdOf(athlete: AthleteRow, title: string): Promise<string> {
  const row = await database.db
    .selectFrom('planned_workouts')
    .select('id')
    .where('athlete_id', '=', athlete.id)
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Puts Alice's plan back as beforeAll made it (tests that apply change it). */
async function restoreAlicePlan(): Promise<void> {
  await database.db.deleteFrom('planned_workouts').where('athlete_id', '=', alice.id).execute();
  const rows: [string, string, string, number | null][] = [
    ['2026-11-26', 'Ride', 'Recovery', 60],
    ['2026-11-28', 'Ride', 'Long ride', 220],
    ['2026-12-01', 'Run', 'Run intervals', 80],
    ['2026-12-03', 'Ride', 'Threshold', 90],
    ['2026-12-05', 'Ride', 'Pre-race spin', null],
  ];
  for (const [date, sport, title, stress] of rows) {
    const row = await insertPlan(database.db, alice.id, {
      date,
      sport,
      title,
      plannedStress: stress,
      plannedDurationS: 3600,
    });
    plan[title] = row.id;
  }
}
