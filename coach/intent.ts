import { addDays, daysBetween } from '../lib/local-time.ts';
import { fullMonths } from '../planning/date-parse.ts';

/**
 * What a question asks, recognised without a model: the rule-based coach answers each intent from the
 * same tools the model calls. Pure: words and dates in, an intent and its arguments out.
 */
export type CoachIntent =
  | 'thresholds'
  | 'activity'
  | 'period'
  | 'form'
  | 'plan'
  | 'forecast'
  | 'bests'
  | 'help';

export interface DateRange {
  from: string;
  to: string;
  label: string;
}

export interface RecognisedQuestion {
  intent: CoachIntent;
  /** Date ranges named in the question, in the order written ("September and October" gives two). */
  ranges: DateRange[];
  sport: 'Ride' | 'Run' | 'Swim' | null;
  /** A duration named for a best ("20-minute power"), in seconds. */
  durationS: number | null;
  /** The stored activity whose name the question contains, if any. */
  activityName: string | null;
}

const monthNames = fullMonths;
const monthPattern = new RegExp(
  `\\b(${monthNames.map((m) => `${m}|${m.slice(0, 3)}`).join('|')})\\b(?:\\s+(\\d{4}))?`,
  'gi',
);

const mondayOf = (date: string) => addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
const lastDayOfMonth = (year: number, month: number) =>
  new Date(Date.UTC(year, month + 1, 0)).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

/** Date ranges a question names, relative to `today` (the athlete's local date). */
export function rangesIn(question: string, today: string): DateRange[] {
  const q = question.toLowerCase();
  const ranges: DateRange[] = [];
  const explicit = [...q.matchAll(/\b(\d{4}-\d{2}-\d{2})\b/g)].map((m) => m[1]!);
  const weekStart = /week (?:starting|from|of|beginning)(?: on)? (\d{4}-\d{2}-\d{2})/.exec(q);
  if (weekStart) {
    const monday = weekStart[1]!;
    ranges.push({ from: monday, to: addDays(monday, 6), label: `week of ${monday}` });
  } else if (explicit.length >= 2 && explicit[0]! <= explicit[1]!) {
    ranges.push({ from: explicit[0]!, to: explicit[1]!, label: `${explicit[0]} to ${explicit[1]}` });
  } else if (explicit.length === 1) {
    ranges.push({ from: explicit[0]!, to: explicit[0]!, label: explicit[0]! });
  }
  if (ranges.length > 0) return ranges;

  const months = [...q.matchAll(monthPattern)];
  if (months.length > 0) {
    const statedYear = months.map((m) => m[2]).find(Boolean);
    for (const match of months) {
      const month = monthNames.findIndex((name) => name.startsWith(match[1]!.toLowerCase().slice(0, 3)));
      // "May" the verb: only a month when the question says so with a year or "in May".
      if (month === 4 && !match[2] && !/\b(in|of|during|since) may\b/.test(q)) continue;
      let year = Number(match[2] ?? statedYear ?? today.slice(0, 4));
      if (!match[2] && !statedYear && `${year}-${pad(month + 1)}-01` > today) year -= 1;
      const from = `${year}-${pad(month + 1)}-01`;
      const end = lastDayOfMonth(year, month);
      ranges.push({
        from,
        to: end > today ? today : end,
        label: `${monthNames[month]![0]!.toUpperCase()}${monthNames[month]!.slice(1)} ${year}`,
      });
    }
    if (ranges.length > 0) return ranges;
  }

  const lastN = /\b(?:last|past|previous)\s+(\d{1,3})\s+(day|week|month)s?\b/.exec(q);
  if (lastN) {
    const n = Number(lastN[1]);
    const days = lastN[2] === 'day' ? n : lastN[2] === 'week' ? n * 7 : n * 30;
    return [{ from: addDays(today, -(days - 1)), to: today, label: `last ${n} ${lastN[2]}s` }];
  }
  if (/\byesterday\b/.test(q)) {
    const yesterday = addDays(today, -1);
    return [{ from: yesterday, to: yesterday, label: 'yesterday' }];
  }
  if (/\btoday\b/.test(q)) return [{ from: today, to: today, label: 'today' }];
  if (/\b(this|current) week\b|\bweek so far\b/.test(q))
    return [{ from: mondayOf(today), to: today, label: 'this week' }];
  if (/\b(last|previous) week\b/.test(q)) {
    const monday = addDays(mondayOf(today), -7);
    return [{ from: monday, to: addDays(monday, 6), label: 'last week' }];
  }
  if (/\bthis month\b/.test(q)) return [{ from: `${today.slice(0, 7)}-01`, to: today, label: 'this month' }];
  if (/\b(last|previous) month\b/.test(q)) {
    const first = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
    return [{ from: `${first}-01`, to: addDays(`${today.slice(0, 7)}-01`, -1), label: 'last month' }];
  }
  if (/\b(this|the) (season|year)\b|\bseason\b|\bthis year\b/.test(q)) {
    const from = `${today.slice(0, 4)}-01-01`;
    // The tools look back at most a year.
    return [
      { from: daysBetween(from, today) > 365 ? addDays(today, -365) : from, to: today, label: 'this season' },
    ];
  }
  return [];
}

/** "20-minute", "5 min", "1 minute", "30 s", "1 hour" → seconds. */
export function durationIn(question: string): number | null {
  const match =
    /\b(\d{1,3})\s*-?\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hour|hours)\b/i.exec(
      question,
    );
  if (!match) return null;
  const n = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit.startsWith('s')) return n;
  if (unit.startsWith('h')) return n * 3600;
  return n * 60;
}

function sportIn(question: string): RecognisedQuestion['sport'] {
  const q = question.toLowerCase();
  if (/\b(ride|rides|riding|ridden|cycling|bike|biking)\b/.test(q)) return 'Ride';
  if (/\b(run|runs|running|jog)\b/.test(q) && !/\brun pace\b|threshold run/.test(q)) return 'Run';
  if (/\b(swim|swims|swimming)\b/.test(q)) return 'Swim';
  return null;
}

/** The longest stored name the question contains (names of at least two words or six letters). */
function activityNamed(question: string, names: string[]): string | null {
  const q = question.toLowerCase();
  let best: string | null = null;
  for (const name of names) {
    const n = name.trim().toLowerCase();
    if (n.length < 6 || !q.includes(n)) continue;
    if (!best || n.length > best.length) best = name.trim();
  }
  if (best) return best;
  // "the Autumn Classic race" for an activity named "Autumn Classic": the name's words, in order.
  for (const name of names) {
    const words = name.toLowerCase().split(/\s+/).filter(Boolean);
    if (
      words.length >= 2 &&
      q.includes(words.slice(0, 2).join(' ')) &&
      words.slice(0, 2).join(' ').length >= 8
    )
      return name.trim();
  }
  return null;
}

/**
 * The intent of a question. Order matters: a named workout wins over words like "stress"; thresholds and
 * bests before form, so "peak power" is a best and "peak fitness" is form.
 */
export function recogniseQuestion(
  question: string,
  today: string,
  activityNames: string[] = [],
): RecognisedQuestion {
  const q = question.toLowerCase();
  const base = {
    ranges: rangesIn(question, today),
    sport: sportIn(question),
    durationS: durationIn(question),
    activityName: activityNamed(question, activityNames),
  };
  const is = (pattern: RegExp) => pattern.test(q);
  const formWords =
    /\b(form|fitness|fatigue|fatigued|tired|fresh|ctl|atl|tsb|ramp|recovered|overtrain\w*|how am i|am i doing|how's my training|how is my training)\b/;
  let intent: CoachIntent = 'help';
  if (base.activityName && !is(/\bftp\b|threshold/)) intent = 'activity';
  else if (is(/\b(race day|race-day|forecast|ready to race|ready for (the|my) race|taper|goal|race form)\b/))
    intent = 'forecast';
  else if (is(/\b(when|where) is my (next )?race\b|\bnext race\b|\brace (date|day)\b/)) intent = 'forecast';
  else if (
    is(
      /\b(next|upcoming) (planned )?(workout|session|training|ride|run|swim)|\bplanned\b|\bmy plan\b|\bon (the|my) plan|what should i do|\bschedule|\bplan for (today|tomorrow)/,
    )
  )
    intent = 'plan';
  else if (
    is(
      /\bftp\b|threshold|\blthr\b|\bzones?\b|(max|maximum|resting|rest)\s+(heart rate|hr)\b|critical power|\bsettings?\b/,
    )
  )
    intent = 'thresholds';
  else if (
    !is(formWords) &&
    is(/\b(best|bests|peak|pb|pr|personal (best|record)s?|power curve|max(imum)? power|record)\b/)
  )
    intent = 'bests';
  else if (is(formWords) || is(/\bshould i\b|\brest day\b|\bgo hard\b|\btrain(ing)? (hard )?today\b/))
    intent = 'form';
  else if (is(/\bhow (did|was|went)\b/) && !is(/\b(week|month|year|season)\b/)) intent = 'activity';
  else if (
    is(
      /\b(last|latest|most recent|previous|longest|biggest|hardest|yesterday'?s?|today'?s?)\b.*\b(activity|workout|ride|run|swim|session)\b/,
    )
  )
    intent = 'activity';
  else if (
    base.ranges.length > 0 ||
    is(/\b(how (many|much|far|long)|hours|distance|volume|total|stress|tss|load|week|weekly|month|compare)\b/)
  )
    intent = 'period';
  else if (is(/\b(activity|workout|ride|run|swim)\b/)) intent = 'activity';
  return { intent, ...base };
}
