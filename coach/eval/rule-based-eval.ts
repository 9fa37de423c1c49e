import type { Db } from '../../db/connect.ts';
import { insertPlan, upsertGoal } from '../../db/queries/planning.ts';
import type { AthleteRow } from '../../db/tables/athletes.ts';
import { localDate } from '../../lib/local-time.ts';
import { answerCoachQuestion, type CoachContext, resetCoach } from '../coach.ts';
import type { CoachIntent } from '../intent.ts';
import { ruleBasedReply } from '../rule-based.ts';
import type { FixtureActivity } from './fixture.ts';
import { factFound } from './harness.ts';
import { type EvalQuestion, evalToday, type Fact, num, words } from './questions.ts';

/**
 * The evaluation without a model: every question goes to the rule-based coach (no OPENAI_API_KEY), and an
 * answer is on topic when the coach recognised the intent the question is written for and the answer
 * holds every required fact (the expected number or words). Its report has its own keys, apart from the
 * model evaluation's.
 */

/** The intent each of the thirty model-evaluation questions asks for, by question text. */
export const expectedIntents: Record<string, CoachIntent> = {
  'What is my current form (TSB)?': 'form',
  'What is my fitness (CTL) right now?': 'form',
  'How fatigued am I? What is my ATL?': 'form',
  'What is my FTP?': 'thresholds',
  'What was my FTP before it last changed, and when did it change?': 'thresholds',
  'What is my lactate threshold heart rate?': 'thresholds',
  'What is my threshold run pace?': 'thresholds',
  'What is the upper limit of my power zone 2?': 'thresholds',
  'How many rides did I do in October 2026?': 'period',
  'How many runs did I do in September 2026?': 'period',
  'What was my longest ride of the season, and how far was it?': 'activity',
  'What was my last activity?': 'activity',
  'How much training stress (TSS) did I do in the week starting 2026-10-26?': 'period',
  'How many hours did I train in the week starting 2026-10-19?': 'period',
  'What is my best 20-minute power in the last 90 days?': 'bests',
  'What is my best 5-minute power this season?': 'bests',
  'What was my best 1-minute power in October 2026?': 'bests',
  'How much did my fitness (CTL) change from 2026-08-01 to 2026-10-31?': 'form',
  'What was my peak fitness (CTL) this season?': 'form',
  'Compare September and October 2026: how many hours did I train in each month?': 'period',
  'Compare my total training stress in August 2026 with September 2026.': 'period',
  'How did the Autumn Classic race go? What was my normalized power?': 'activity',
  'What was the training stress (TSS) of the Autumn Classic race?': 'activity',
  'How many swims did I do in October 2026, and how far was the last one?': 'period',
  'Am I ready to race this weekend?': 'forecast',
  'What was my average weekly training stress over the last 4 weeks?': 'period',
  'What is my ramp rate (CTL change over the last 7 days)?': 'form',
  'What is my maximum heart rate setting?': 'thresholds',
  'How long was my longest run in October 2026?': 'activity',
  'What is my swim threshold pace?': 'thresholds',
};

export interface RuleBasedQuestion extends EvalQuestion {
  intent: CoachIntent;
}

/** The plan and race goal the extra questions ask about (added to the fixture athlete for this run). */
const evalPlan = {
  date: '2026-11-03',
  sport: 'Ride',
  title: 'Sweet spot 2x20',
  minutes: 90,
  stress: 95,
};
const evalGoal = { date: '2026-11-15', name: 'Winter TT', targetTsb: 10 };

/** The model questions with their intents, and questions for the intents they leave out. */
export function ruleBasedQuestions(
  questions: EvalQuestion[],
  activities: FixtureActivity[],
): RuleBasedQuestion[] {
  const within = (from: string, to: string, sport?: string) =>
    activities.filter((a) => a.date >= from && a.date <= to && (!sport || a.sport === sport));
  const known = questions.flatMap((q) => {
    const intent = expectedIntents[q.question];
    return intent ? [{ ...q, intent }] : [];
  });
  const extra: [string, CoachIntent, Fact[]][] = [
    ['What is my next planned workout?', 'plan', [words('planned title', evalPlan.title)]],
    ['What will my form be on race day?', 'forecast', [words('goal', evalGoal.name)]],
    [
      'How much did I train this week?',
      'period',
      [
        num(
          'week stress',
          within('2026-10-26', evalToday).reduce((t, a) => t + a.stress, 0),
          1.5,
        ),
      ],
    ],
    [
      'How many hours did I ride last week?',
      'period',
      [
        num(
          'ride hours',
          within('2026-10-19', '2026-10-25', 'Ride').reduce((t, a) => t + a.movingS, 0) / 3600,
          0.11,
        ),
      ],
    ],
    ['Tell me a joke about cyclists.', 'help', [words('what it can answer', 'I can answer')]],
  ];
  return [
    ...known,
    ...extra.map(([question, intent, facts], i) => ({
      id: `r${String(i + 1).padStart(2, '0')}`,
      question,
      intent,
      facts,
    })),
  ];
}

export interface RuleBasedResult {
  id: string;
  question: string;
  expectedIntent: CoachIntent;
  intent: CoachIntent;
  factsFound: number;
  factsTotal: number;
  missing: string[];
  onTopic: boolean;
  latencyMs: number;
  answer: string;
}

export interface RuleBasedReport {
  questions: number;
  /** Questions whose intent was recognised and whose answer holds every required fact. */
  onTopic: number;
  onTopicShare: number;
  intentShare: number;
  factShare: number;
  target: number;
  results: RuleBasedResult[];
}

export async function addEvalPlan(db: Db, athlete: AthleteRow): Promise<void> {
  await insertPlan(db, athlete.id, {
    date: evalPlan.date,
    sport: evalPlan.sport,
    title: evalPlan.title,
    plannedDurationS: evalPlan.minutes * 60,
    plannedStress: evalPlan.stress,
  });
  await upsertGoal(db, athlete.id, evalGoal);
}

/**
 * Asks every question through the coach with no model configured (so the real fallback path answers),
 * and scores intent and facts.
 */
export async function runRuleBasedEval(
  ctx: CoachContext,
  athlete: AthleteRow,
  questions: RuleBasedQuestion[],
  options: { onResult?: (result: RuleBasedResult) => void } = {},
): Promise<RuleBasedReport> {
  const noModel: CoachContext = {
    ...ctx,
    config: { ...ctx.config, coach: { ...ctx.config.coach, apiKey: null } },
  };
  const today = localDate(ctx.now(), athlete.timezone);
  const results: RuleBasedResult[] = [];
  for (const question of questions) {
    await resetCoach(ctx.db, athlete.id);
    const answer = await answerCoachQuestion(noModel, athlete.id, question.question);
    const { intent } = await ruleBasedReply(ctx.db, athlete, today, question.question);
    const missing = question.facts.filter((fact) => !factFound(answer.text, fact)).map((fact) => fact.label);
    const result: RuleBasedResult = {
      id: question.id,
      question: question.question,
      expectedIntent: question.intent,
      intent,
      factsFound: question.facts.length - missing.length,
      factsTotal: question.facts.length,
      missing,
      onTopic: intent === question.intent && missing.length === 0 && answer.mode === 'rule-based',
      latencyMs: answer.latencyMs,
      answer: answer.text,
    };
    results.push(result);
    options.onResult?.(result);
  }
  await resetCoach(ctx.db, athlete.id);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Number((a / b).toFixed(3)));
  const onTopic = results.filter((r) => r.onTopic).length;
  return {
    questions: results.length,
    onTopic,
    onTopicShare: ratio(onTopic, results.length),
    intentShare: ratio(results.filter((r) => r.intent === r.expectedIntent).length, results.length),
    factShare: ratio(
      results.reduce((sum, r) => sum + r.factsFound, 0),
      results.reduce((sum, r) => sum + r.factsTotal, 0),
    ),
    target: 0.8,
    results,
  };
}
