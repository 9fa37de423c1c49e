import { addDays } from '../../lib/local-time.ts';
import { computePmc, formReading } from '../../metrics/pmc.ts';
import { type FixtureActivity, type FixtureAthlete, generateSeason } from './fixture.ts';

/**
 * The evaluation's fixed athlete (a season from May to October 2026) and thirty questions with the facts a
 * correct answer must contain. Facts are computed here from the generated activities, independently of
 * the coach's queries.
 */

export type Fact =
  | { kind: 'number'; label: string; value: number; tolerance: number }
  | { kind: 'words'; label: string; anyOf: string[] };

export interface EvalQuestion {
  id: string;
  question: string;
  facts: Fact[];
}

export const evalToday = '2026-11-01';
export const evalNow = new Date(`${evalToday}T09:00:00Z`);

export function evalAthlete(): FixtureAthlete {
  return {
    discordUserId: '300000000000000001',
    name: 'Eval Athlete',
    thresholds: [
      { kind: 'ftp', value: 250, from: '2026-05-01' },
      { kind: 'ftp', value: 265, from: '2026-08-01' },
      { kind: 'lthr', value: 168, from: '2026-05-01' },
      { kind: 'max_hr', value: 190, from: '2026-05-01' },
      { kind: 'threshold_pace', value: 270, from: '2026-05-01' },
    ],
    activities: generateSeason({
      from: '2026-05-04',
      to: '2026-10-31',
      ftp: 250,
      ftpChange: { from: '2026-08-01', ftp: 265 },
      seed: 7,
    }),
  };
}

/** A number the answer must state, within `tolerance`. */
export const num = (label: string, value: number, tolerance: number): Fact => ({
  kind: 'number',
  label,
  value,
  tolerance,
});
/** Words the answer must contain (any one of them). */
export const words = (label: string, ...anyOf: string[]): Fact => ({ kind: 'words', label, anyOf });

export function evalQuestions(activities: FixtureActivity[]): EvalQuestion[] {
  const within = (from: string, to: string, sport?: string) =>
    activities.filter((a) => a.date >= from && a.date <= to && (!sport || a.sport === sport));
  const sum = (list: FixtureActivity[], pick: (a: FixtureActivity) => number) =>
    list.reduce((t, a) => t + pick(a), 0);
  const best = (list: FixtureActivity[], seconds: number) =>
    Math.max(...list.flatMap((a) => (a.curve ?? []).filter(([s]) => s === seconds).map(([, w]) => w)));
  const pmc = computePmc(
    activities.map((a) => ({ date: a.date, stress: a.stress })),
    { until: evalToday },
  );
  const on = (date: string) => pmc.find((row) => row.date === date)!;
  const today = on(evalToday);
  const zoneWords: Record<string, string[]> = {
    transition: ['transition', 'very fresh'],
    fresh: ['fresh'],
    neutral: ['neutral', 'balanced'],
    optimal: ['productive', 'optimal', 'building'],
    high_risk: ['high risk', 'fatigue'],
  };
  const zone = formReading(today.tsb).zone;
  const rides = (from: string, to: string) => within(from, to, 'Ride');
  const season = ['2026-05-04', '2026-10-31'] as const;
  const longestRide = rides(...season).reduce((a, b) => (b.distanceM > a.distanceM ? b : a));
  const last = activities.at(-1)!;
  const race = activities.find((a) => a.name === 'Autumn Classic race')!;
  const octoberSwims = within('2026-10-01', '2026-10-31', 'Swim');
  const octoberRuns = within('2026-10-01', '2026-10-31', 'Run');
  const longestOctoberRun = octoberRuns.reduce((a, b) => (b.movingS > a.movingS ? b : a));
  const hours = (list: FixtureActivity[]) => sum(list, (a) => a.movingS) / 3600;
  const stress = (list: FixtureActivity[]) => sum(list, (a) => a.stress);
  const fourWeeksFrom = addDays('2026-10-26', -21);

  const questions: [string, Fact[]][] = [
    [
      'What is my current form (TSB)?',
      [num('TSB today', today.tsb, 0.6), words('form reading', ...zoneWords[zone]!)],
    ],
    ['What is my fitness (CTL) right now?', [num('CTL today', today.ctl, 0.6)]],
    ['How fatigued am I? What is my ATL?', [num('ATL today', today.atl, 0.6)]],
    ['What is my FTP?', [num('FTP', 265, 0.5)]],
    [
      'What was my FTP before it last changed, and when did it change?',
      [
        num('previous FTP', 250, 0.5),
        words('change date', '2026-08-01', 'August 1', '1 August', 'Aug 1', '1 Aug'),
      ],
    ],
    ['What is my lactate threshold heart rate?', [num('LTHR', 168, 0.5)]],
    ['What is my threshold run pace?', [words('threshold pace', '4:30')]],
    ['What is the upper limit of my power zone 2?', [num('Z2 upper bound', Math.round(0.75 * 265), 1)]],
    [
      'How many rides did I do in October 2026?',
      [num('October rides', rides('2026-10-01', '2026-10-31').length, 0)],
    ],
    [
      'How many runs did I do in September 2026?',
      [num('September runs', within('2026-09-01', '2026-09-30', 'Run').length, 0)],
    ],
    [
      'What was my longest ride of the season, and how far was it?',
      [num('longest ride km', longestRide.distanceM / 1000, 0.15)],
    ],
    [
      'What was my last activity?',
      [words('last activity', last.name), num('last activity km', last.distanceM / 1000, 0.15)],
    ],
    [
      'How much training stress (TSS) did I do in the week starting 2026-10-26?',
      [num('week stress', stress(within('2026-10-26', '2026-11-01')), 1.5)],
    ],
    [
      'How many hours did I train in the week starting 2026-10-19?',
      [num('week hours', hours(within('2026-10-19', '2026-10-25')), 0.11)],
    ],
    [
      'What is my best 20-minute power in the last 90 days?',
      [num('best 20 min', best(rides(addDays(evalToday, -89), evalToday), 1200), 1)],
    ],
    ['What is my best 5-minute power this season?', [num('best 5 min', best(rides(...season), 300), 1)]],
    [
      'What was my best 1-minute power in October 2026?',
      [num('best 1 min October', best(rides('2026-10-01', '2026-10-31'), 60), 1)],
    ],
    [
      'How much did my fitness (CTL) change from 2026-08-01 to 2026-10-31?',
      [num('CTL change', on('2026-10-31').ctl - on('2026-08-01').ctl, 0.6)],
    ],
    [
      'What was my peak fitness (CTL) this season?',
      [num('peak CTL', Math.max(...pmc.map((row) => row.ctl)), 0.6)],
    ],
    [
      'Compare September and October 2026: how many hours did I train in each month?',
      [
        num('September hours', hours(within('2026-09-01', '2026-09-30')), 0.15),
        num('October hours', hours(within('2026-10-01', '2026-10-31')), 0.15),
      ],
    ],
    [
      'Compare my total training stress in August 2026 with September 2026.',
      [
        num('August stress', stress(within('2026-08-01', '2026-08-31')), 2),
        num('September stress', stress(within('2026-09-01', '2026-09-30')), 2),
      ],
    ],
    [
      'How did the Autumn Classic race go? What was my normalized power?',
      [words('race', 'Autumn Classic'), num('race NP', race.npW!, 0.5)],
    ],
    ['What was the training stress (TSS) of the Autumn Classic race?', [num('race TSS', race.stress, 1)]],
    [
      'How many swims did I do in October 2026, and how far was the last one?',
      [
        num('October swims', octoberSwims.length, 0),
        num('last swim km', octoberSwims.at(-1)!.distanceM / 1000, 0.05),
      ],
    ],
    [
      'Am I ready to race this weekend?',
      [num('TSB today', today.tsb, 0.6), words('form reading', ...zoneWords[zone]!)],
    ],
    [
      'What was my average weekly training stress over the last 4 weeks?',
      [num('4-week average', stress(within(fourWeeksFrom, evalToday)) / 4, 2)],
    ],
    ['What is my ramp rate (CTL change over the last 7 days)?', [num('ramp', today.ramp, 0.6)]],
    ['What is my maximum heart rate setting?', [num('max HR', 190, 0.5)]],
    [
      'How long was my longest run in October 2026?',
      [num('longest October run minutes', longestOctoberRun.movingS / 60, 1)],
    ],
    [
      'What is my swim threshold pace?',
      [
        words(
          'missing threshold',
          'not set',
          '/settings',
          'no swim threshold',
          'unset',
          "haven't set",
          'have not set',
        ),
      ],
    ],
  ];
  return questions.map(([question, facts], i) => ({
    id: `q${String(i + 1).padStart(2, '0')}`,
    question,
    facts,
  }));
}
