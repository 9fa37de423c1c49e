/**
 * The numbers audit: every number in an answer must be traceable to the evidence (tool results of this
 * conversation, the athlete's own message, the constants the system prompt states), allowing rounding and
 * the unit conversions a coach makes (m↔km↔mi↔ft, s↔min↔h, m:ss pace per km↔mi, speed↔pace, ratio↔%).
 * Calendar references (dates, weekdays with day numbers), list markers, zone names ("Z2", "zone 2") and
 * inline code are not claims about the athlete's data and are not audited.
 */

export interface AuditFinding {
  /** The number as written. */
  text: string;
  value: number;
}

export interface AuditResult {
  ok: boolean;
  checked: number;
  untraceable: AuditFinding[];
}

interface NumberToken {
  text: string;
  start: number;
  end: number;
  /** Whether a sign was written: then the sign must match too ("+12" is not traced by a TSB of -12). */
  signed: boolean;
  /** Candidate readings: a plain number, or seconds for m:ss / h:mm:ss (h:mm read both ways). */
  values: { value: number; tolerance: number }[];
}

const months =
  'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december';
const monthThenDay = new RegExp(`\\b(?:${months})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b(?:,?\\s+\\d{4})?`, 'gi');
const dayThenMonth = new RegExp(
  `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${months})\\b\\.?(?:,?\\s+\\d{4})?`,
  'gi',
);
const isoDate = /\b\d{4}-\d{2}-\d{2}\b/g;
const inlineCode = /`[^`\n]*`/g;
const zoneName = /\b(?:z|zone\s*)\d\b/gi;
const listMarker = /^(\s*)\d{1,2}[.)](?=\s)/gm;
const year = /\b(?:19|20)\d{2}\b/g;

/** Spans that are not audited, blanked out so their digits are not read as numbers. */
function blankExempt(text: string): string {
  let out = text;
  for (const pattern of [inlineCode, isoDate, monthThenDay, dayThenMonth, zoneName, year]) {
    out = out.replace(pattern, (match) => ' '.repeat(match.length));
  }
  return out.replace(
    listMarker,
    (match, indent: string) => indent + ' '.repeat(match.length - indent.length),
  );
}

const tokenPattern = /(?<![\w.])(\d+(?::\d{2}){1,2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d:])/g;

/** "1h 05m", "1 hour and 5 minutes", "1h05": one duration (hours and minutes), not two numbers. */
const hoursMinutes =
  /(?<![\w.])(\d+)\s?(?:h|hrs?|hours?)(?:,?\s?(?:and\s+)?(\d{1,2})\s?(?:m|mins?|minutes?)\b|(\d{2})\b)/gi;
/** "4 min 35 s", "4m35s": one duration (a spaced bare "m" is metres: "400 m 30 s" stays two numbers). */
const minutesSeconds =
  /(?<![\w.])(\d+)(?:\s?(?:mins?|minutes?),?\s?(?:and\s+)?|m)(\d{1,2})\s?(?:s|secs?|seconds?)\b/gi;

/** Durations written in words, in seconds, with where they are. */
function wordDurations(text: string): { start: number; end: number; seconds: number; tolerance: number }[] {
  const found: { start: number; end: number; seconds: number; tolerance: number }[] = [];
  for (const match of text.matchAll(hoursMinutes)) {
    const minutes = Number(match[2] ?? match[3]);
    if (minutes >= 60) continue;
    found.push({
      start: match.index,
      end: match.index + match[0].length,
      seconds: Number(match[1]) * 3600 + minutes * 60,
      tolerance: 30,
    });
  }
  for (const match of text.matchAll(minutesSeconds)) {
    const seconds = Number(match[2]);
    if (seconds >= 60 || found.some((d) => match.index < d.end && d.start < match.index + match[0].length))
      continue;
    found.push({
      start: match.index,
      end: match.index + match[0].length,
      seconds: Number(match[1]) * 60 + seconds,
      tolerance: 0.5,
    });
  }
  return found;
}

/**
 * -1, +1 or 0: a sign written right before the number ("TSB −12", "+3.2"). A hyphen or dash after a word
 * or a digit joins ("10-12 km", "2026-10-25", "Tour-12") and is no sign.
 */
function signBefore(text: string, start: number): -1 | 0 | 1 {
  const mark = text[start - 1];
  if (mark === undefined || !/[-−–+]/.test(mark)) return 0;
  if (start >= 2 && /[\w.)]/.test(text[start - 2]!)) return 0;
  return mark === '+' ? 1 : -1;
}

function tokens(text: string): NumberToken[] {
  let blanked = blankExempt(text);
  const found: NumberToken[] = [];
  for (const duration of wordDurations(blanked)) {
    found.push({
      text: text.slice(duration.start, duration.end),
      start: duration.start,
      end: duration.end,
      signed: false,
      values: [{ value: duration.seconds, tolerance: duration.tolerance }],
    });
    blanked =
      blanked.slice(0, duration.start) +
      ' '.repeat(duration.end - duration.start) +
      blanked.slice(duration.end);
  }
  for (const match of blanked.matchAll(tokenPattern)) {
    const raw = match[1]!;
    const start = match.index;
    const values: NumberToken['values'] = [];
    if (raw.includes(':')) {
      const parts = raw.split(':').map(Number);
      if (parts.length === 3)
        values.push({ value: parts[0]! * 3600 + parts[1]! * 60 + parts[2]!, tolerance: 0.5 });
      else {
        values.push({ value: parts[0]! * 60 + parts[1]!, tolerance: 0.5 }); // m:ss
        values.push({ value: parts[0]! * 3600 + parts[1]! * 60, tolerance: 30 }); // h:mm
      }
    } else {
      const sign = signBefore(blanked, start);
      const value = Number(raw.replace(/,/g, '')) * (sign === -1 ? -1 : 1);
      const decimals = raw.includes('.') ? raw.split('.')[1]!.length : 0;
      let tolerance = 0.5 * 10 ** -decimals + 1e-9;
      // "about 250 W" for 248 W: round numbers are rounding to tens or hundreds.
      const size = Math.abs(value);
      if (decimals === 0 && size >= 100 && size % 10 === 0) tolerance = 5;
      if (decimals === 0 && size >= 1000 && size % 100 === 0) tolerance = 50;
      values.push({ value, tolerance });
      found.push({ text: raw, start, end: start + raw.length, signed: sign !== 0, values });
      continue;
    }
    found.push({ text: raw, start, end: start + raw.length, signed: false, values });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Every number in the evidence (JSON text or prose), unsigned, with m:ss and h:mm:ss read as seconds. */
export function evidenceNumbers(evidence: string[]): number[] {
  return [...new Set(signedEvidenceNumbers(evidence).map(Math.abs))];
}

/** Every number in the evidence with its sign ("-12.3" in JSON, "−5" in prose). */
function signedEvidenceNumbers(evidence: string[]): number[] {
  const values = new Set<number>();
  for (const text of evidence) {
    const plain = text.replace(/(\d),(?=\d{3}\b)/g, '$1');
    for (const duration of wordDurations(plain)) values.add(duration.seconds);
    for (const match of plain.matchAll(/\d+(?::\d{2}){1,2}/g)) {
      const parts = match[0].split(':').map(Number);
      values.add(
        parts.length === 3 ? parts[0]! * 3600 + parts[1]! * 60 + parts[2]! : parts[0]! * 60 + parts[1]!,
      );
      if (parts.length === 2) values.add(parts[0]! * 3600 + parts[1]! * 60);
    }
    for (const match of plain.matchAll(/\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
      const value = Number(match[0]);
      values.add(signBefore(plain, match.index) === -1 ? -value : value);
    }
  }
  return [...values].filter(Number.isFinite);
}

const mile = 1609.344;
/** Ways a coach may restate a number: units, pace from speed and back, ratio and percent. */
const conversions: ((x: number) => number)[] = [
  (x) => x,
  (x) => x / 1000, // m → km
  (x) => x / mile, // m → mi
  (x) => x / 1.609344, // km → mi, s/mi → s/km
  (x) => x * 1.609344, // s/km → s/mi
  (x) => x / 0.3048, // m → ft
  (x) => x / 60, // s → min, min → h
  (x) => x / 3600, // s → h
  (x) => x * 60, // min → s, h → min
  (x) => x * 3600, // h → s
  (x) => x * 100, // ratio → %
  (x) => x / 100, // % → ratio
  (x) => x * 3.6, // m/s → km/h
  (x) => (x * 3600) / mile, // m/s → mph
  (x) => (x > 0 ? 1000 / x : Number.NaN), // m/s → s per km
  (x) => (x > 0 ? mile / x : Number.NaN), // m/s → s per mi
];

export function auditNumbers(answer: string, evidence: string[]): AuditResult {
  const answerTokens = tokens(answer);
  const untraceable = untraceableTokens(answerTokens, evidence).map((token) => ({
    text: token.text,
    value: token.values[0]!.value,
  }));
  return { ok: untraceable.length === 0, checked: answerTokens.length, untraceable };
}

function untraceableTokens(answerTokens: NumberToken[], evidence: string[]): NumberToken[] {
  // Unit conversions keep the sign; pace from speed only exists for positive speeds.
  const derived = signedEvidenceNumbers(evidence)
    .flatMap((x) => conversions.map((convert) => (x < 0 ? -convert(-x) : convert(x))))
    .filter(Number.isFinite);
  const unsigned = derived.map(Math.abs);
  return answerTokens.filter((token) => {
    const first = token.values[0]!.value;
    // 0, 1 and 2 are words in disguise ("1 or 2 easy days"), not claims about the data.
    if (!token.signed && token.values.length === 1 && first <= 2 && Number.isInteger(first)) return false;
    const candidates = token.signed ? derived : unsigned;
    return !token.values.some(({ value, tolerance }) =>
      candidates.some((candidate) => Math.abs(candidate - value) <= tolerance + Math.abs(value) * 1e-9),
    );
  });
}

const unitAfter =
  /^\s?(?:%|W\b|watts?\b|kJ\b|km\/h\b|mph\b|km\b|mi\b|miles?\b|m\b|ft\b|bpm\b|TSS\b|h\b|hours?\b|min\b|minutes?\b|s\b|sec\b|seconds?\b|\/km\b|\/mi\b|per\s+(?:km|mile|mi)\b)/i;

/** The answer with every untraceable number (and its unit) replaced by a visible marker. */
export function stripUntraceable(answer: string, evidence: string[]): string {
  const bad = untraceableTokens(tokens(answer), evidence);
  let out = '';
  let cursor = 0;
  for (const token of bad) {
    let end = token.end;
    const unit = unitAfter.exec(answer.slice(end));
    if (unit) end += unit[0].length;
    let start = token.start;
    if (start > 0 && (/[~≈]/.test(answer[start - 1]!) || signBefore(answer, start) !== 0)) start -= 1;
    out += `${answer.slice(cursor, start)}[unverified number removed]`;
    cursor = end;
  }
  return out + answer.slice(cursor);
}

/** Whether `text` states `value` (within `tolerance`), directly or through a unit conversion (for the eval). */
export function mentionsNumber(text: string, value: number, tolerance: number): boolean {
  const stated = evidenceNumbers([text.replace(/[−–]/g, '-')]);
  return stated.some((number) =>
    conversions.some((convert) => Math.abs(convert(number) - Math.abs(value)) <= tolerance),
  );
}
