import { seededRandom } from '../../lib/seeded-random.ts';
import {
  answerFromTools,
  type FakeToolCall,
  type OpenAiFake,
  toolResults,
} from '../../test/fakes/openai/openai-fake.ts';
import { answerCoachQuestion, type CoachContext, resetCoach } from '../coach.ts';
import { auditNumbers } from '../numbers-audit.ts';

/**
 * The adversarial numbers-audit suite. A scripted model (the OpenAI-compatible fake) plays the ways real
 * models get numbers wrong — and right — through the coach's real loop, against the evaluation athlete:
 * it calls tools, then answers from the values it got back, correctly or with one labelled mistake.
 * An answer is accepted when the audit passes it on the first try.
 *
 * - false accept: a wrong number passed; false reject: a correct answer did not.
 * - random-number pass rate: random numbers written with a label into a typical answer, audited against
 *   the tool results of a typical question; the share that passes.
 */

type Json = Record<string, unknown>;

export interface AuditCase {
  id: string;
  behaviour: string;
  /** Whether the audit should pass the answer. */
  expect: 'accept' | 'reject';
  question?: string;
  /** Tool calls made before answering (none: the model answers straight away). */
  tools: FakeToolCall[];
  /** The answer from the tool results, by tool name (later calls of a name win). */
  answer: (results: Map<string, Json>) => string;
}

const form = (r: Map<string, Json>) => r.get('current_form')!;
const num = (value: unknown) => value as number;
const signed = (value: number) => (value < 0 ? `−${Math.abs(value)}` : `+${value}`);
const comma = (value: number) => String(value).replace('.', ',').replace('-', '−');
const firstRide = (r: Map<string, Json>) =>
  (r.get('activities')!.activities as Json[]).find((activity) => activity.sport === 'Ride')!;
const firstTwo = (r: Map<string, Json>) => (r.get('activities')!.activities as Json[]).slice(0, 2);
const inEffect = (r: Map<string, Json>) => r.get('thresholds_zones')!.in_effect as Json;
const pastFtp = (r: Map<string, Json>) => {
  const history = r.get('thresholds_zones')!.history as { kind: string; value: number }[];
  const now = num(inEffect(r).ftp_w);
  return history.find((row) => row.kind === 'ftp' && row.value !== now)!.value;
};
const hm = (clock: string) => clock.split(':').slice(0, 2).join(':');

const formCall: FakeToolCall = { name: 'current_form', arguments: {} };
const thresholdsCall: FakeToolCall = { name: 'thresholds_zones', arguments: {} };
const octoberCall: FakeToolCall = {
  name: 'activities',
  arguments: { from: '2026-10-20', to: '2026-10-31', limit: 10 },
};
const weeksCall: FakeToolCall = { name: 'weekly_load', arguments: { weeks: 4 } };
const changeCall: FakeToolCall = { name: 'pmc_range', arguments: { from: '2026-10-01', to: '2026-10-31' } };

export const auditCases: AuditCase[] = [
  // Correct answers: every number is a tool value of the quantity its label names.
  {
    id: 'exact',
    behaviour: 'CTL, ATL and TSB as returned, with the sign',
    expect: 'accept',
    tools: [formCall],
    answer: (r) =>
      `Your fitness (CTL) is ${form(r).ctl_fitness}, fatigue (ATL) ${form(r).atl_fatigue}, so your form (TSB) is ${signed(num(form(r).tsb_form))}: ${form(r).reading}.`,
  },
  {
    id: 'rounded',
    behaviour: 'rounded to whole numbers and to tens with "about"',
    expect: 'accept',
    tools: [formCall],
    answer: (r) =>
      `Fitness is ${Math.round(num(form(r).ctl_fitness))} and fatigue about ${Math.round(num(form(r).atl_fatigue) / 10) * 10}.`,
  },
  {
    id: 'converted',
    behaviour: 'km converted to miles, with both units written',
    expect: 'accept',
    tools: [octoberCall],
    answer: (r) =>
      `Your ride “${firstRide(r).name}” covered ${firstRide(r).distance_km} km (${(num(firstRide(r).distance_km) / 1.609344).toFixed(1)} mi) in ${hm(String(firstRide(r).moving_time))}.`,
  },
  {
    id: 'summed',
    behaviour: 'sums over a period, as the tool totals them',
    expect: 'accept',
    tools: [weeksCall],
    answer: (r) => {
      const totals = r.get('weekly_load')!.totals as Json;
      return `Over the last 4 weeks you trained ${totals.hours} hours over ${totals.distance_km} km for ${totals.stress_tss} TSS, about ${r.get('weekly_load')!.average_weekly_stress_tss} TSS a week.`;
    },
  },
  {
    id: 'derived',
    behaviour: '% of FTP, average speed and a change between two days, from the tools',
    expect: 'accept',
    tools: [octoberCall, changeCall],
    answer: (r) => {
      const change = r.get('pmc_range')!.change as Json;
      return `Your NP of ${firstRide(r).np_w} W was ${firstRide(r).np_pct_of_ftp}% of FTP at ${firstRide(r).avg_speed_kmh} km/h. Over October your fitness (CTL) changed by ${signed(num(change.ctl))}.`;
    },
  },
  {
    id: 'decimal-comma',
    behaviour: 'decimal commas',
    expect: 'accept',
    tools: [formCall],
    answer: (r) =>
      `Deine Fitness (CTL) liegt bei ${comma(num(form(r).ctl_fitness))}, deine Form (TSB) bei ${comma(num(form(r).tsb_form))}.`,
  },
  {
    id: 'dates-clock',
    behaviour: 'dates and clock times beside a real value',
    expect: 'accept',
    tools: [formCall],
    answer: (r) =>
      `Since 27.10. and 2026-10-25 your fitness (CTL) reached ${form(r).ctl_fitness}. Ride tomorrow at 07:30 or at 6:30 pm, before Nov 3.`,
  },
  {
    id: 'prescription',
    behaviour: 'an intensity prescription against FTP',
    expect: 'accept',
    tools: [thresholdsCall],
    answer: (r) =>
      `With your FTP of ${inEffect(r).ftp_w} W, do 3×10 min at 95–105 % of FTP, with 5 min at 55% of FTP in between.`,
  },
  {
    id: 'past-ftp',
    behaviour: 'the old FTP, said as the old one',
    expect: 'accept',
    tools: [thresholdsCall],
    answer: (r) => `Your FTP was ${pastFtp(r)} W before it changed to ${inEffect(r).ftp_w} W.`,
  },
  {
    id: 'athlete-number',
    behaviour: 'a number the athlete typed, repeated',
    expect: 'accept',
    question: 'Is 300 W a good FTP target for me?',
    tools: [thresholdsCall],
    answer: (r) => `300 W would be a step up from your FTP of ${inEffect(r).ftp_w} W.`,
  },
  {
    id: 'zones-and-thresholds',
    behaviour: 'form zones, pace, LTHR and a power-zone bound, as a coach quotes them',
    expect: 'accept',
    tools: [formCall, thresholdsCall],
    answer: (r) => {
      const zone2 = (r.get('thresholds_zones')!.power_zones_w as Json[])[1]!;
      return `Form (TSB) ${signed(num(form(r).tsb_form))} sits in its zone (productive training is −30 to −10). Threshold pace ${inEffect(r).threshold_run_pace_per_km}/km, LTHR ${inEffect(r).lthr_bpm} bpm; zone 2 runs ${zone2.from}–${zone2.to} W.`;
    },
  },
  {
    id: 'compare-periods',
    behaviour: 'two months compared with the changes the tool worked out',
    expect: 'accept',
    tools: [
      {
        name: 'compare_periods',
        arguments: {
          first: { from: '2026-09-01', to: '2026-09-30' },
          second: { from: '2026-10-01', to: '2026-10-31' },
        },
      },
    ],
    answer: (r) => {
      const result = r.get('compare_periods')!;
      const [a, b, change] = [
        result.first as Json,
        result.second as Json,
        result.change_second_minus_first as Json,
      ];
      return `September: ${a.hours} h and ${a.stress_tss} TSS; October: ${b.hours} h and ${b.stress_tss} TSS. That is ${signed(num(change.hours))} h (${signed(num(change.hours_pct))}%) and fitness (CTL) ${signed(num(change.ctl_at_end))} at the month's end.`;
    },
  },
  {
    id: 'power-curve',
    behaviour: 'best efforts named by their duration, with % of FTP',
    expect: 'accept',
    tools: [{ name: 'power_curve', arguments: { from: '2026-08-03', to: '2026-11-01' } }],
    answer: (r) => {
      const best = r.get('power_curve')!.best_power as Json[];
      const twenty = best.find((point) => point.seconds === 1200)!;
      const five = best.find((point) => point.seconds === 300)!;
      return `Your best 20-minute power in the last 90 days is ${twenty.watts} W (${twenty.pct_of_ftp}% of FTP), and your 5 min best ${five.watts} W.`;
    },
  },
  {
    id: 'from-to-change',
    behaviour: 'a change written as from one day’s value to another’s',
    expect: 'accept',
    tools: [changeCall],
    answer: (r) => {
      const rows = r.get('pmc_range')!.rows as unknown[][];
      return `Your fitness (CTL) rose from ${rows[0]![1]} on 1 October to ${rows.at(-1)![1]} on 31 October.`;
    },
  },
  {
    id: 'durations',
    behaviour: 'moving time as h:mm:ss, in hours and minutes, and in minutes',
    expect: 'accept',
    tools: [octoberCall],
    answer: (r) => {
      const ride = firstRide(r);
      const [h, m] = String(ride.moving_time).split(':').map(Number) as [number, number];
      return `It took ${ride.moving_time}, i.e. ${h}h ${String(m).padStart(2, '0')}m or about ${h * 60 + m} min.`;
    },
  },
  // Wrong answers: one labelled mistake each.
  {
    id: 'sign-dropped',
    behaviour: 'TSB with its sign dropped',
    expect: 'reject',
    tools: [formCall],
    answer: (r) => {
      const tsb = num(form(r).tsb_form);
      return `Your form (TSB) is ${tsb < 0 ? Math.abs(tsb) : `−${tsb}`}.`;
    },
  },
  {
    id: 'wrong-label',
    behaviour: 'ATL reported as CTL',
    expect: 'reject',
    tools: [formCall],
    answer: (r) => `Your fitness (CTL) is ${form(r).atl_fatigue}.`,
  },
  {
    id: 'stale-value',
    behaviour: 'the old FTP as the current one',
    expect: 'reject',
    tools: [thresholdsCall],
    answer: (r) => `Your FTP is ${pastFtp(r)} W.`,
  },
  {
    id: 'near-real',
    behaviour: 'an invented value near a real one',
    expect: 'reject',
    tools: [formCall],
    answer: (r) => `Your fitness (CTL) is ${(num(form(r).ctl_fitness) + 0.7).toFixed(1)}.`,
  },
  {
    id: 'near-real-watts',
    behaviour: 'an invented FTP a few watts off',
    expect: 'reject',
    tools: [thresholdsCall],
    answer: (r) => `Your FTP is ${num(inEffect(r).ftp_w) + 3} W.`,
  },
  {
    id: 'rounded-too-far',
    behaviour: '"about" a value more than the rounding away',
    expect: 'reject',
    tools: [formCall],
    answer: (r) => `Your fatigue is about ${Math.round(num(form(r).atl_fatigue) / 10) * 10 + 10}.`,
  },
  {
    id: 'converted-wrong',
    behaviour: 'km written as miles',
    expect: 'reject',
    tools: [octoberCall],
    answer: (r) => `Your ride covered ${firstRide(r).distance_km} mi.`,
  },
  {
    id: 'summed-by-model',
    behaviour: 'a sum the model worked out itself',
    expect: 'reject',
    tools: [octoberCall],
    answer: (r) =>
      `Your last two activities add up to ${firstTwo(r)
        .reduce((sum, activity) => sum + num(activity.distance_km), 0)
        .toFixed(1)} km.`,
  },
  {
    id: 'decimal-comma-wrong',
    behaviour: 'a wrong value written with a decimal comma',
    expect: 'reject',
    tools: [formCall],
    answer: (r) =>
      `Deine Fitness (CTL) liegt bei ${comma(Number((num(form(r).ctl_fitness) + 1.3).toFixed(1)))}.`,
  },
  {
    id: 'date-digits',
    behaviour: 'a number that only appears in dates and ids of the results',
    expect: 'reject',
    tools: [octoberCall],
    answer: () => 'Your fitness (CTL) is 27.',
  },
  {
    id: 'no-tool-ctl-42',
    behaviour: 'no tool call at all: "Your CTL is 42" (the CTL time constant)',
    expect: 'reject',
    tools: [],
    answer: () => 'Your CTL is 42.',
  },
  {
    id: 'no-tool-ctl-150',
    behaviour: 'no tool call: "CTL is 150" (42 × 3.6)',
    expect: 'reject',
    tools: [],
    answer: () => 'Your CTL is 150 right now.',
  },
  {
    id: 'small-number',
    behaviour: 'a small number (0–2) that is wrong',
    expect: 'reject',
    tools: [formCall],
    answer: () => 'Your form (TSB) is 1, so you are balanced.',
  },
  {
    id: 'percent-invented',
    behaviour: 'an invented % of FTP',
    expect: 'reject',
    tools: [octoberCall],
    answer: (r) => `That ride was ${num(firstRide(r).np_pct_of_ftp) + 4}% of FTP.`,
  },
  {
    id: 'np-as-ftp',
    behaviour: 'a real power value (a ride’s NP) reported as FTP',
    expect: 'reject',
    tools: [octoberCall, thresholdsCall],
    answer: (r) => `Your FTP is ${firstRide(r).np_w} W.`,
  },
  {
    id: 'hours-as-minutes',
    behaviour: 'a total in hours written as minutes',
    expect: 'reject',
    tools: [weeksCall],
    answer: (r) => `You trained ${(r.get('weekly_load')!.totals as Json).hours} min over the last 4 weeks.`,
  },
  {
    id: 'wkg-invented',
    behaviour: 'W/kg with no body weight anywhere',
    expect: 'reject',
    tools: [thresholdsCall],
    answer: () => 'That is 3.9 W/kg.',
  },
];

interface AuditCaseResult {
  id: string;
  behaviour: string;
  expected: 'accept' | 'reject';
  accepted: boolean;
  answer: string;
  untraceable: string[];
}

interface RandomNumbers {
  samples: number;
  passed: number;
  passRate: number;
  /** Pass rates by the shape of the number: integers 3–99, one decimal 0–100, integers 100–400. */
  byShape: { integers3to99: number; oneDecimal0to100: number; integers100to400: number };
}

export interface AuditSuiteReport {
  cases: number;
  correctCases: number;
  wrongCases: number;
  falseAccepts: number;
  falseRejects: number;
  falseAcceptRate: number;
  falseRejectRate: number;
  randomNumbers: RandomNumbers & {
    question: string;
    /** The same with a 42-day PMC and 50 activities in the conversation too. */
    heavyContext: RandomNumbers;
  };
  results: AuditCaseResult[];
}

/** Labelled sentences a coach writes; `{x}` is where a random number goes. */
const labelledSentences = [
  'Your fitness (CTL) is {x}.',
  'Your fatigue (ATL) is {x}.',
  'Your form (TSB) is {x}.',
  'Your form (TSB) is −{x}.',
  'Your ramp rate is {x} per week.',
  'Your FTP is {x} W.',
  'You held {x} W for 20 minutes.',
  'Your LTHR is {x} bpm.',
  'Your average heart rate was {x} bpm.',
  'You rode {x} km this week.',
  'That ride scored {x} TSS.',
  'You trained {x} hours over the last 4 weeks.',
  'Your normalized power was {x}% of FTP.',
  'You did {x} rides in the last 4 weeks.',
];

const typicalAuditQuestion = 'How is my training going, and what should I do today?';
const typicalCalls: FakeToolCall[] = [formCall, thresholdsCall, weeksCall, octoberCall];
const heavyCalls: FakeToolCall[] = [
  { name: 'pmc_range', arguments: { from: '2026-09-21', to: '2026-11-01' } },
  { name: 'activities', arguments: { from: '2026-05-01', to: '2026-11-01', limit: 50 } },
];

const shapes = {
  integers3to99: (next: () => number) => String(3 + Math.floor(next() * 97)),
  oneDecimal0to100: (next: () => number) => (next() * 100).toFixed(1),
  integers100to400: (next: () => number) => String(100 + Math.floor(next() * 301)),
};

/** Random numbers written with a label into a coach's sentence, audited against `evidence`. */
function randomNumberRate(evidence: string[], samples: number, seed: number): RandomNumbers {
  const next = seededRandom(seed);
  const perShape = Math.ceil(samples / 3);
  const byShape = { integers3to99: 0, oneDecimal0to100: 0, integers100to400: 0 };
  let passed = 0;
  for (const [shape, draw] of Object.entries(shapes) as [
    keyof typeof shapes,
    (n: () => number) => string,
  ][]) {
    let shapePassed = 0;
    for (let i = 0; i < perShape; i++) {
      const sentence = labelledSentences[Math.floor(next() * labelledSentences.length)]!;
      if (auditNumbers(sentence.replace('{x}', draw(next)), { toolResults: evidence }).ok) shapePassed += 1;
    }
    byShape[shape] = Number((shapePassed / perShape).toFixed(4));
    passed += shapePassed;
  }
  return { samples: perShape * 3, passed, passRate: Number((passed / (perShape * 3)).toFixed(4)), byShape };
}

/** The tool results a question's calls return, as the model saw them. */
async function resultsOf(
  ctx: CoachContext,
  athleteId: string,
  fake: OpenAiFake,
  calls: FakeToolCall[],
): Promise<string[]> {
  await resetCoach(ctx.db, athleteId);
  fake.reset();
  fake.setFallback(answerFromTools(calls, () => 'Noted.'));
  await answerCoachQuestion(ctx, athleteId, typicalAuditQuestion, { timeoutMs: 10_000, maxRetries: 0 });
  const evidence = toolResults(fake.requests.at(-1)!.body).map(({ result }) => JSON.stringify(result));
  await resetCoach(ctx.db, athleteId);
  fake.reset();
  return evidence;
}

/** Runs every case through the coach, then the random-number measure on a typical question's results. */
export async function runAuditSuite(
  ctx: CoachContext,
  athleteId: string,
  fake: OpenAiFake,
  options: { samples?: number; seed?: number } = {},
): Promise<AuditSuiteReport> {
  const evalCtx: CoachContext = {
    ...ctx,
    config: { ...ctx.config, coach: { ...ctx.config.coach, dailyTokenBudget: 2_000_000_000 } },
  };
  const call = { timeoutMs: 10_000, maxRetries: 0 };
  const results: AuditCaseResult[] = [];
  for (const testCase of auditCases) {
    await resetCoach(ctx.db, athleteId);
    fake.reset();
    fake.setFallback(answerFromTools(testCase.tools, testCase.answer));
    const answer = await answerCoachQuestion(
      evalCtx,
      athleteId,
      testCase.question ?? 'How am I doing?',
      call,
    );
    const first = fake.requests
      .map((request) => request.body)
      .flatMap((body) => body.messages)
      .find((message) => message.role === 'assistant' && !message.tool_calls)?.content;
    results.push({
      id: testCase.id,
      behaviour: testCase.behaviour,
      expected: testCase.expect,
      accepted: answer.mode === 'ai' && answer.audit.outcome === 'passed',
      answer: answer.audit.outcome === 'passed' ? answer.text : (first ?? answer.text),
      untraceable: answer.audit.untraceable,
    });
  }

  const samples = options.samples ?? 2_000;
  const typical = await resultsOf(evalCtx, athleteId, fake, typicalCalls);
  const heavy = await resultsOf(evalCtx, athleteId, fake, [...typicalCalls.slice(0, 2), ...heavyCalls]);
  const typicalRate = randomNumberRate(typical, samples, options.seed ?? 17);
  const heavyRate = randomNumberRate(heavy, samples, (options.seed ?? 17) + 1);

  const correct = results.filter((result) => result.expected === 'accept');
  const wrong = results.filter((result) => result.expected === 'reject');
  const falseAccepts = wrong.filter((result) => result.accepted).length;
  const falseRejects = correct.filter((result) => !result.accepted).length;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Number((a / b).toFixed(4)));
  return {
    cases: results.length,
    correctCases: correct.length,
    wrongCases: wrong.length,
    falseAccepts,
    falseRejects,
    falseAcceptRate: ratio(falseAccepts, wrong.length),
    falseRejectRate: ratio(falseRejects, correct.length),
    randomNumbers: { ...typicalRate, question: typicalAuditQuestion, heavyContext: heavyRate },
    results,
  };
}
