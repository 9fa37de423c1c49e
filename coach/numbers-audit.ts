/**
 * The numbers audit: every number in an answer is bound to the quantity it claims to be — the label or
 * unit next to it (CTL/fitness, ATL/fatigue, TSB/form with its sign, FTP, W, bpm, km/mi, h:mm, %, TSS …)
 * — and must match a tool value of that same quantity, within the rounding the text shows ("about 80"
 * allows tens). Unit conversions apply only when the unit is written (42.2 km as "26.2 mi").
 *
 * Evidence is the tool results of this conversation, read as keyed JSON: each value gets its quantity
 * from its key (`tsb_form`, `ftp_w`, `distance_km` …). Ids, dates and the prompt's constants are never
 * evidence. Numbers the athlete typed are evidence only for themselves (as written, not converted).
 *
 * Not audited (not claims about the athlete's data): dates ("2026-10-25", "Oct 25", "27.10."), clock
 * times ("07:30", "at 7:30"), list markers, zone names ("Z2"), window words ("20-minute best",
 * "42-day load"), inline code, and intensity prescriptions written against a threshold
 * ("95–105 % of FTP").
 */

/** What a number is: the quantity its key (evidence) or its label and unit (answer) name. */
type Quantity =
  | 'ctl'
  | 'atl'
  | 'tsb'
  | 'ramp'
  | 'ctl_change'
  | 'atl_change'
  | 'tsb_change'
  | 'ftp'
  | 'ftp_past'
  | 'lthr'
  | 'max_hr'
  | 'rest_hr'
  | 'hr_past'
  | 'power'
  | 'hr'
  | 'distance'
  | 'elevation'
  | 'duration'
  | 'pace'
  | 'swim_pace'
  | 'percent'
  | 'ratio'
  | 'tss'
  | 'count'
  | 'days'
  | 'speed'
  | 'wkg'
  | 'other';

/** One evidence value in canonical units: km, seconds, s/km, s/100 m, km/h, percent as written. */
export interface EvidenceValue {
  quantity: Quantity;
  value: number;
  /** As the tool wrote it (hours as hours), for a number written without label or unit. */
  raw?: number;
}

export interface AuditEvidence {
  /** Tool results of this conversation, as the JSON text the model read. */
  toolResults: string[];
  /** What the athlete typed: its numbers stand only for themselves. */
  athleteText?: string[];
}

export interface AuditFinding {
  /** The number as written. */
  text: string;
  value: number;
  /** The quantity the text binds it to (null: no label or unit). */
  quantity: Quantity | null;
}

export interface AuditResult {
  ok: boolean;
  checked: number;
  untraceable: AuditFinding[];
}

// ── Evidence ────────────────────────────────────────────────────────────────────────────────────────────

const skippedKey = /(^|_)id$|^date$|^until$|^today$|week_starting|moved_from|^zone$|^seconds$|^created|^at$/;

/** Seconds of "m:ss" or "h:mm:ss" (null when not that shape). */
function clockSeconds(text: string): number | null {
  const match = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  return match[3] === undefined
    ? Number(match[1]) * 60 + Number(match[2])
    : Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** The quantity of a numeric JSON value from its key and where it sits; null: not evidence. */
function quantityOfKey(key: string, path: string[], parent: Record<string, unknown> | null): Quantity | null {
  const k = key.toLowerCase();
  if (skippedKey.test(k)) return null;
  const inside = path.join('.').toLowerCase();
  const change = /change|_minus_|delta/.test(inside) || /change/.test(k);
  if (parent && typeof parent.kind === 'string' && k === 'value') {
    // A row of the threshold history: a past value, unless it is also the one in effect.
    const kind = parent.kind;
    if (kind === 'ftp') return 'ftp_past';
    if (kind === 'lthr' || kind === 'max_hr' || kind === 'rest_hr') return 'hr_past';
    if (kind === 'threshold_pace') return 'pace';
    if (kind === 'swim_threshold_pace') return 'swim_pace';
    return 'other';
  }
  if (/_pct$|percent|^pct|pct_of/.test(k)) return 'percent';
  if (/ramp/.test(k)) return 'ramp';
  if (/tsb/.test(k)) return change ? 'tsb_change' : 'tsb';
  if (/ctl/.test(k)) return change ? 'ctl_change' : 'ctl';
  if (/atl/.test(k)) return change ? 'atl_change' : 'atl';
  if (/ftp/.test(k) && !/per_kg/.test(k)) return 'ftp';
  if (/per_kg|wkg/.test(k)) return 'wkg';
  if (/lthr/.test(k)) return 'lthr';
  if (/max_hr/.test(k)) return 'max_hr';
  if (/rest_hr/.test(k)) return 'rest_hr';
  if (/kmh|km_h|speed/.test(k)) return 'speed';
  if (/stress|tss|trimp/.test(k)) return 'tss';
  if (/(^|_)if$|intensity|^vi$|^ef$/.test(k)) return 'ratio';
  if (/elevation/.test(k)) return 'elevation';
  if (/distance|_km$/.test(k)) return 'distance';
  if (/hours|_min$|minutes|duration|_s$|time/.test(k)) return 'duration';
  if (/_w$|watts|power/.test(k) || /power|_w$|_w\./.test(inside)) return /kj/.test(k) ? 'other' : 'power';
  if (/_bpm$|hr/.test(k) || /(^|\.|_)hr(\.|_|$)|bpm/.test(inside)) return 'hr';
  if (/^activities$|count|^rides$|^runs$|^swims$|weeks_requested|^weeks$/.test(k)) return 'count';
  if (/days/.test(k)) return 'days';
  return 'other';
}

/** A numeric JSON value in canonical units (hours and minutes to seconds). */
function canonical(key: string, path: string[], value: number): number {
  const k = key.toLowerCase();
  const inside = path.join('.').toLowerCase();
  if (/pct|percent|per_kg|kmh|speed/.test(k)) return value;
  if (/hours/.test(k)) return value * 3600;
  if (/_min$|minutes|duration_min/.test(k) || /zone_minutes/.test(inside)) return value * 60;
  return value;
}

/** Every value of the tool results with its quantity. `columns` + `rows` tables are read by column. */
export function evidenceValues(toolResults: string[]): EvidenceValue[] {
  const out: EvidenceValue[] = [];
  const walk = (value: unknown, key: string, path: string[], parent: Record<string, unknown> | null) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return;
      const quantity = quantityOfKey(key, path, parent);
      const converted = canonical(key, path, value);
      if (quantity)
        out.push(converted === value ? { quantity, value } : { quantity, value: converted, raw: value });
      return;
    }
    if (typeof value === 'string') {
      const seconds = clockSeconds(value);
      if (seconds === null || skippedKey.test(key.toLowerCase())) return;
      const k = `${path.join('.')}.${key}`.toLowerCase();
      if (/100m/.test(k)) out.push({ quantity: 'swim_pace', value: seconds });
      else if (/pace|per_km/.test(k)) out.push({ quantity: 'pace', value: seconds });
      else out.push({ quantity: 'duration', value: seconds });
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key, path, parent);
      return;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const columns = Array.isArray(record.columns) ? (record.columns as unknown[]).map(String) : null;
      for (const [childKey, child] of Object.entries(record)) {
        if (childKey === 'columns') continue;
        if (columns && childKey === 'rows' && Array.isArray(child)) {
          for (const row of child)
            if (Array.isArray(row))
              for (const [i, cell] of row.entries())
                walk(cell, columns[i] ?? 'other', [...path, 'rows'], null);
          continue;
        }
        walk(child, childKey, key === '' ? path : [...path, key], record);
      }
    }
  };
  for (const text of toolResults) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue;
    }
    walk(json, '', [], null);
  }
  return out;
}

// ── The answer's numbers ────────────────────────────────────────────────────────────────────────────────

interface NumberToken {
  text: string;
  start: number;
  end: number;
  /** −1 or +1 when a sign is written, else 0. */
  sign: -1 | 0 | 1;
  /** Candidate readings in the answer's own unit, with the tolerance its rounding shows. */
  values: { value: number; tolerance: number; reading?: 'clock' }[];
  decimalComma: boolean;
}

const months =
  'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|januar|februar|märz|mai|juni|juli|oktober|dezember';
const exemptPatterns: RegExp[] = [
  /`[^`\n]*`/g, // inline code
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b/g, // ISO dates and timestamps
  new RegExp(`\\b(?:${months})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b(?:,?\\s+\\d{4})?`, 'gi'),
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+)?(?:${months})\\b\\.?(?:,?\\s+\\d{4})?`, 'gi'),
  // 27.10.2026, and 27.10. before a lowercase word or after a date word ("am 27.10."): not "61.4." ending a sentence.
  /(?<![\d.,])(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:\d{2,4}\b|(?=[ \t]+[a-zäöüß]))/g,
  /(?<=\b(?:am|on|vom|bis|seit|since|den|dem|until|zum|ab|le|du|al|il)\s)(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\./gi,
  /(?<![\d/])\d{1,2}\/\d{1,2}(?:\/\d{2,4})?(?![\d/])/g, // 10/27, 27/10/2026
  /\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+\d{1,2}(?:st|nd|rd|th)?\b/gi,
  /\b\d{1,2}(?:st|nd|rd|th)\b/gi, // ordinals ("the 25th")
  /\b0\d:[0-5]\d\b(?:\s*(?:am|pm|h|uhr)\b)?/gi, // clock times with a leading zero: 07:30
  /\b(?:at|by|before|after|until|from|um|ab)\s+(?:[01]?\d|2[0-3])[:.][0-5]\d\b(?:\s*(?:am|pm|h|uhr)\b)?/gi,
  /\b(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s*(?:am|pm|o['’]clock|uhr)\b/gi,
  /\b(?:z|zone\s*)\d\b/gi, // zone names
  /\b(?:19|20)\d{2}\b/g, // years
  /\b\d+[-‑]\s?(?:days?|weeks?|months?|years?|seconds?|secs?|minutes?|mins?|hours?|s)\b/gi, // windows
  /\b(?:top|the last|last|past|next|first|over|in|across|for|during|per|every|over the|in the)\s+(?:the\s+)?(?:last\s+|past\s+|next\s+)?\d+\s+(?:days?|weeks?|months?)\b/gi,
  /\b\d+\s+(?:days?|weeks?|months?)\s+ago\b/gi,
  /\b(?:top|the last|last|past|next|first)\s+\d+\s+(?:activities|rides|runs|swims|sessions|workouts)\b/gi,
  // Advice in ranges of small counts ("1–2 easy days", "2-3 sessions"): what to do, not data.
  /\b\d{1,2}\s?(?:[-–—]|to|or)\s?\d{1,2}\s+(?:(?:easy|rest|recovery|hard|quality|key|short|long|more|fewer|extra)\s+)?(?:days?|sessions?|workouts?|rides?|runs?|swims?|intervals?|reps?|sets?|times|weeks?)\b/gi,
  // Advice in duration ranges ("a 60–90 minute ride", "3 to 4 h"): a prescription, not a reading.
  /\b\d{1,3}\s?(?:[-–—]|to)\s?\d{1,3}\s?(?:min(?:ute)?s?|h|hrs?|hours?)\b/gi,
  // Numbered headings and steps ("Week 1", "Day 2", "Set 3").
  /\b(?:week|day|set|rep|interval|step|phase|block|option|session)\s+\d{1,2}\b/gi,
  // Which point of the power curve: "best 20 min power", "5 s peak", "20-min best".
  /\b(?:best|peak|max(?:imum)?|top)\s+\d+\s?(?:s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b/gi,
  /\b\d+\s?(?:s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\s+(?:best|power|peak|effort|max|average|avg|record|pb)\b/gi,
  // Workout prescriptions: "3×10 min", "5 min at 55% of FTP".
  /\b\d+\s?[x×]\s?\d+(?:[.,]\d+)?\s?(?:min(?:utes?)?|s|sec(?:onds?)?|km|m)?\b/gi,
  /\b\d+\s?(?:min(?:utes?)?|s|sec(?:onds?)?)\s+(?:at|@)\s+\d+(?:\s?[-–]\s?\d+)?\s?%\s?(?:of\s+)?(?:your\s+)?(?:ftp|threshold|lthr)\b/gi,
  // Intensity prescriptions against a threshold: "95–105 % of FTP", "at 90% FTP".
  /\d+(?:[.,]\d+)?\s?%?\s?(?:[-–—]|to)\s?\d+(?:[.,]\d+)?\s?%\s?(?:of\s+)?(?:your\s+)?(?:ftp|threshold|lthr|max(?:imum)?\s*(?:hr|heart rate)|critical power|cp)\b/gi,
  /\b(?:at|hold|around|aim for|target|stay (?:at|under|below))\s+\d+(?:[.,]\d+)?\s?%\s?(?:of\s+)?(?:your\s+)?(?:ftp|threshold|lthr|max(?:imum)?\s*(?:hr|heart rate))\b/gi,
];
const listMarker = /^(\s*(?:[-*•]\s*)?)\d{1,2}[.)](?=\s)/gm;

/** Spans that are not audited, blanked so their digits are not read as numbers. */
function blankExempt(text: string, names: string[] = []): string {
  let out = text;
  // Names from the results quoted in the answer ("Zwift 2x20", "Tour-12 loop"): data, not numbers.
  for (const name of names) {
    const lower = out.toLowerCase();
    const needle = name.toLowerCase();
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length))
      out = out.slice(0, at) + ' '.repeat(needle.length) + out.slice(at + needle.length);
  }
  for (const pattern of exemptPatterns) out = out.replace(pattern, (match) => ' '.repeat(match.length));
  return out.replace(
    listMarker,
    (match, indent: string) => indent + ' '.repeat(match.length - indent.length),
  );
}

/** "1h 05m", "1 hour and 5 minutes", "1h05", "4 min 35 s": one duration, in seconds. */
const hoursMinutes =
  /(?<![\w.,])(\d+)\s?(?:h|hrs?|hours?)(?:,?\s?(?:and\s+)?(\d{1,2})\s?(?:m|mins?|minutes?)\b|(\d{2})\b)/gi;
const minutesSeconds =
  /(?<![\w.,])(\d+)(?:\s?(?:mins?|minutes?),?\s?(?:and\s+)?|m)(\d{1,2})\s?(?:s|secs?|seconds?)\b/gi;

/** -1, +1 or 0: a sign written right before the number; a dash after a word or digit joins instead. */
function signBefore(text: string, start: number): -1 | 0 | 1 {
  const mark = text[start - 1];
  if (mark === undefined || !/[-−–+]/.test(mark)) return 0;
  if (start >= 2 && /[\w.)%]/.test(text[start - 2]!)) return 0;
  if (start >= 3 && /\d\s$/.test(text.slice(start - 3, start - 1))) return 0; // "10 -12" is a range
  return mark === '+' ? 1 : -1;
}

const numberPattern =
  /(?<![\w.,:])(\d+(?::\d{2}){1,2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+[.,]\d+|\d+)(?![\d:]|[.,]\d)/g;

function tokensOf(text: string, names: string[] = []): NumberToken[] {
  let blanked = blankExempt(text, names);
  const found: NumberToken[] = [];
  const addDuration = (start: number, end: number, seconds: number, tolerance: number) => {
    found.push({
      text: text.slice(start, end),
      start,
      end,
      sign: 0,
      values: [{ value: seconds, tolerance }],
      decimalComma: false,
    });
    blanked = blanked.slice(0, start) + ' '.repeat(end - start) + blanked.slice(end);
  };
  for (const match of [...blanked.matchAll(hoursMinutes)]) {
    const minutes = Number(match[2] ?? match[3]);
    if (minutes >= 60) continue;
    addDuration(match.index, match.index + match[0].length, Number(match[1]) * 3600 + minutes * 60, 60);
  }
  for (const match of [...blanked.matchAll(minutesSeconds)]) {
    if (Number(match[2]) >= 60 || blanked.slice(match.index, match.index + match[0].length).trim() === '')
      continue;
    addDuration(match.index, match.index + match[0].length, Number(match[1]) * 60 + Number(match[2]), 0.5);
  }
  for (const match of blanked.matchAll(numberPattern)) {
    const raw = match[1]!;
    const start = match.index;
    if (raw.includes(':')) {
      const parts = raw.split(':').map(Number);
      const values: NumberToken['values'] =
        parts.length === 3
          ? [{ value: parts[0]! * 3600 + parts[1]! * 60 + parts[2]!, tolerance: 0.5 }]
          : [
              { value: parts[0]! * 60 + parts[1]!, tolerance: 0.5 }, // m:ss
              { value: parts[0]! * 3600 + parts[1]! * 60, tolerance: 60, reading: 'clock' }, // h:mm, rounded or cut
            ];
      found.push({ text: raw, start, end: start + raw.length, sign: 0, values, decimalComma: false });
      continue;
    }
    // "1,234" is thousands; "69,8" and "1,25" are decimal commas.
    const thousands = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(raw);
    const decimalComma = !thousands && raw.includes(',');
    const plain = thousands ? raw.replace(/,/g, '') : raw.replace(',', '.');
    const sign = signBefore(blanked, start);
    const value = Number(plain);
    const decimals = plain.includes('.') ? plain.split('.')[1]!.length : 0;
    found.push({
      text: raw,
      start,
      end: start + raw.length,
      sign,
      values: [{ value, tolerance: 0.5 * 10 ** -decimals + 1e-9 }],
      decimalComma,
    });
  }
  return found.sort((a, b) => a.start - b.start);
}

// ── Binding a number to its quantity ────────────────────────────────────────────────────────────────────

interface Unit {
  pattern: RegExp;
  quantity: Quantity;
  /** The written value in canonical units. */
  toCanonical?: (x: number) => number;
  factor?: number;
}

const mile = 1.609344;
/** Units written right after a number (the first that matches wins; longer forms first). */
const units: Unit[] = [
  { pattern: /^[ \t\u00a0\u202f]?w\s?\/\s?kg\b/i, quantity: 'wkg' },
  {
    pattern: /^[ \t\u00a0\u202f]?(?:min)?\s?\/\s?100\s?m\b|^[ \t\u00a0\u202f]?per\s+100\s?m\b/i,
    quantity: 'swim_pace',
  },
  {
    pattern:
      /^[ \t\u00a0\u202f]?(?:min)?\s?\/\s?km\b|^[ \t\u00a0\u202f]?(?:min(?:utes)?\s+)?per\s+(?:km|kilomet)/i,
    quantity: 'pace',
  },
  {
    pattern:
      /^[ \t\u00a0\u202f]?(?:min)?\s?\/\s?mi(?:le)?\b|^[ \t\u00a0\u202f]?(?:min(?:utes)?\s+)?per\s+mile/i,
    quantity: 'pace',
    toCanonical: (x) => x / mile,
    factor: 1 / mile,
  },
  { pattern: /^[ \t\u00a0\u202f]?(?:km\/h|kph|kmh)\b/i, quantity: 'speed' },
  { pattern: /^[ \t\u00a0\u202f]?mph\b/i, quantity: 'speed', toCanonical: (x) => x * mile, factor: mile },
  { pattern: /^[ \t\u00a0\u202f]?%/, quantity: 'percent' },
  { pattern: /^[ \t\u00a0\u202f]?(?:w|watts?)\b/i, quantity: 'power' },
  { pattern: /^[ \t\u00a0\u202f]?(?:bpm|beats)\b/i, quantity: 'hr' },
  { pattern: /^[ \t\u00a0\u202f]?(?:tss|stress points?)\b/i, quantity: 'tss' },
  { pattern: /^[ \t\u00a0\u202f]?(?:km|kms|kilomet(?:re|er)s?)\b/i, quantity: 'distance' },
  {
    pattern: /^[ \t\u00a0\u202f]?(?:mi|miles?)\b/i,
    quantity: 'distance',
    toCanonical: (x) => x * mile,
    factor: mile,
  },
  {
    pattern: /^[ \t\u00a0\u202f]?(?:ft|feet)\b/i,
    quantity: 'elevation',
    toCanonical: (x) => x * 0.3048,
    factor: 0.3048,
  },
  { pattern: /^[ \t\u00a0\u202f]?(?:m|metres?|meters?)\b(?!\s?\/)/i, quantity: 'elevation' },
  {
    pattern: /^[ \t\u00a0\u202f]?(?:h|hrs?|hours?)\b/i,
    quantity: 'duration',
    toCanonical: (x) => x * 3600,
    factor: 3600,
  },
  {
    pattern: /^[ \t\u00a0\u202f]?(?:min|mins|minutes?)\b/i,
    quantity: 'duration',
    toCanonical: (x) => x * 60,
    factor: 60,
  },
  { pattern: /^[ \t\u00a0\u202f]?(?:s|sec|secs|seconds?)\b/i, quantity: 'duration' },
  {
    pattern:
      /^[ \t\u00a0\u202f]?(?:more\s+|fewer\s+|easy\s+|hard\s+|long\s+)?(?:activities|activity|rides?|runs?|swims?|workouts?|sessions?|times|weeks?|races?)\b/i,
    quantity: 'count',
  },
  { pattern: /^[ \t\u00a0\u202f]?(?:days?)\b/i, quantity: 'days' },
];

/** Labels before a number (the one nearest the number wins). */
const labels: { pattern: RegExp; quantity: Quantity }[] = [
  { pattern: /\bramp(?:\s+rate)?\b/gi, quantity: 'ramp' },
  { pattern: /\b(?:ctl|fitness)\b/gi, quantity: 'ctl' },
  { pattern: /\b(?:atl|fatigue)\b/gi, quantity: 'atl' },
  { pattern: /\b(?:tsb|form|freshness)\b/gi, quantity: 'tsb' },
  { pattern: /\bftp\b|threshold power/gi, quantity: 'ftp' },
  { pattern: /\blthr\b|threshold (?:heart rate|hr)/gi, quantity: 'lthr' },
  { pattern: /\bmax(?:imum)?\s+(?:hr|heart rate)\b/gi, quantity: 'max_hr' },
  { pattern: /\brest(?:ing)?\s+(?:hr|heart rate)\b/gi, quantity: 'rest_hr' },
  { pattern: /\bpace\b/gi, quantity: 'pace' },
  { pattern: /\b(?:tss|training stress|stress)\b/gi, quantity: 'tss' },
  { pattern: /\bIF\b|intensity factor/g, quantity: 'ratio' },
  { pattern: /normali[sz]ed power|\bNP\b|\bpower\b|\bwatts\b/gi, quantity: 'power' },
  { pattern: /\bheart rate\b|\bHR\b/gi, quantity: 'hr' },
  { pattern: /\bdistance\b/gi, quantity: 'distance' },
];

/** What each written quantity may match: a label's own kind first, its relatives only in context. */
const accepts: Record<Quantity, Quantity[]> = {
  ctl: ['ctl'],
  atl: ['atl'],
  tsb: ['tsb'],
  ramp: ['ramp', 'ctl_change'],
  // "CTL rose from 60.2 to 68.4": both a change and the days' values are the same quantity's family.
  ctl_change: ['ctl_change', 'ramp', 'ctl'],
  atl_change: ['atl_change', 'atl'],
  tsb_change: ['tsb_change', 'tsb'],
  ftp: ['ftp'],
  ftp_past: ['ftp_past', 'ftp'],
  lthr: ['lthr'],
  max_hr: ['max_hr'],
  rest_hr: ['rest_hr'],
  hr_past: ['hr_past'],
  power: ['power', 'ftp', 'ftp_past'],
  hr: ['hr', 'lthr', 'max_hr', 'rest_hr', 'hr_past'],
  distance: ['distance'],
  elevation: ['elevation'],
  duration: ['duration'],
  pace: ['pace'],
  swim_pace: ['swim_pace'],
  percent: ['percent'],
  ratio: ['ratio'],
  tss: ['tss'],
  count: ['count'],
  days: ['days', 'count'],
  speed: ['speed'],
  wkg: ['wkg'],
  other: ['other'],
};

const dimension: Partial<Record<Quantity, Quantity>> = {
  ftp: 'power',
  ftp_past: 'power',
  lthr: 'hr',
  max_hr: 'hr',
  rest_hr: 'hr',
  hr_past: 'hr',
  ctl: 'tss',
  atl: 'tss',
  tsb: 'tss',
  ramp: 'tss',
};

const changeWords =
  /\b(?:change[ds]?|up|down|rose|risen|climbed|gained|gain|fell|fallen|dropped|drop|lost|increased?|decreased?|higher|lower|more|less|by|from|ramp|grew|grown|declined?|improved?)\b/i;
const pastWords =
  /\b(?:was|were|previous(?:ly)?|before|earlier|old|used to|until|changed|history|raised|lowered|from)\b/i;
const negativeWords = /\b(?:below zero|negative|minus|under zero|in the red)\b/i;
const approxWords =
  /(?:\babout|\baround|\broughly|\bapprox(?:imately|\.)?|\bnearly|\balmost|\bclose to|~|≈|\bsome)\s*$/i;
const zoneContext =
  /\b(?:zones?|between|above|below|range|bands?|productive|fresh|neutral|risk|transition|optimal)\b/i;
const formWords = /\b(?:tsb|form)\b/i;

/** The sentence (or list line) around an offset. */
function sentenceSpan(text: string, at: number): { start: number; end: number } {
  const spans = sentenceSpans(text);
  return spans.find((span) => at >= span.start && at < span.end) ?? { start: 0, end: text.length };
}

/** Sentences and list lines: ends at ". " "! " "? " or a line break. */
function sentenceSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let start = 0;
  const boundary = /(?<=[.!?…])\s+|\n+/g;
  for (const match of text.matchAll(boundary)) {
    const end = match.index;
    // "27.10. 2026" or "approx. 5": a dot after digits or abbreviations does not end a sentence.
    if (/\b(?:approx|ca|e\.g|i\.e|vs|min|max|no)\.$/i.test(text.slice(start, end)) && match[0] !== '\n')
      continue;
    if (end > start) spans.push({ start, end });
    start = match.index + match[0].length;
  }
  if (start < text.length) spans.push({ start, end: text.length });
  return spans;
}

interface Binding {
  quantity: Quantity | null;
  toCanonical: (x: number) => number;
  factor: number;
}

function bind(
  text: string,
  blanked: string,
  token: NumberToken,
  previous: NumberToken | undefined,
  previousBinding: Binding | undefined,
): Binding {
  const after = text.slice(token.end, token.end + 30);
  // A range ("146–199 W", "3 to 4 h") shares the unit written after its second number.
  const range = /^\s?(?:[-–—]|to)\s?(?:\d+(?:[.,]\d+)?)(?=\s?\D)/.exec(after);
  const unitText = range ? after.slice(range[0].length) : after;
  const isClock = token.values.length === 2;
  const unit = units.find((candidate) => candidate.pattern.test(unitText));
  const sentence = sentenceSpan(text, token.start);
  const gapStart = Math.max(
    sentence.start,
    previous && previous.end > sentence.start ? previous.end : sentence.start,
  );
  // "… (103% of FTP), and your best 308 W": the previous number's "of FTP" is not this one's label.
  const gap = text
    .slice(gapStart, token.start)
    .replace(/%?\s*of\s+(?:your\s+)?(?:ftp|lthr|threshold|max(?:imum)?\s+(?:hr|heart rate))\b/gi, (m) =>
      ' '.repeat(m.length),
    );
  let label: Quantity | null = null;
  let labelAt = -1;
  for (const candidate of labels) {
    for (const match of gap.matchAll(candidate.pattern)) {
      if (match.index >= labelAt) {
        labelAt = match.index;
        label = candidate.quantity;
      }
    }
  }
  // "61.4 CTL", "−20 TSB": a label right after the number.
  if (!label && !unit) {
    const right = /^[ \t]?\(?[ \t]?(ctl|atl|tsb|ftp|lthr)\b(?![ \t]*:)/i.exec(after);
    if (right) label = right[1]!.toLowerCase() as Quantity;
  }
  const context = text.slice(sentence.start, sentence.end);
  // "ramp" names the quantity even when CTL is said too ("ramp (CTL per 7 days)").
  if (/\bramp/i.test(gap)) label = 'ramp';
  // A change in words ("up", "from … to"), or a CTL/ATL with a written sign ("CTL +6.6"): fitness and
  // fatigue are never negative, so a sign says change.
  if (
    (label === 'ctl' || label === 'atl' || label === 'tsb') &&
    (changeWords.test(gap) || (label !== 'tsb' && token.sign !== 0))
  )
    label = `${label}_change` as Quantity;
  if (label === 'ftp' && pastWords.test(context)) label = 'ftp_past';
  const identity = { toCanonical: (x: number) => x, factor: 1 };
  if (unit) {
    const conversion = {
      toCanonical: unit.toCanonical ?? identity.toCanonical,
      factor: unit.factor ?? 1,
    };
    // The label refines the unit when it names a quantity of that dimension ("FTP 265 W").
    if (label && (dimension[label] === unit.quantity || label === unit.quantity))
      return { quantity: label, ...conversion };
    if (label === 'pace' && unit.quantity === 'duration') return { quantity: 'pace', ...identity };
    return { quantity: unit.quantity, ...conversion };
  }
  if (isClock)
    return {
      quantity: label === 'pace' ? 'pace' : label === 'swim_pace' ? 'swim_pace' : 'duration',
      ...identity,
    };
  if (label === 'hr' || label === 'power' || label === 'distance') return { quantity: label, ...identity };
  if (label) return { quantity: label, ...identity };
  // "CTL 61 (61.4)", "−12 (−12.3, −12)": a restatement inherits the quantity of the number before it.
  if (
    previous &&
    previousBinding &&
    /^[\s(),/≈~→]*(?:or|i\.e\.|about|to|and|vs\.?|versus)?[\s(),/≈~→]*$/.test(
      blanked.slice(previous.end, token.start),
    )
  )
    return previousBinding;
  return { quantity: null, ...identity };
}

// ── The audit ───────────────────────────────────────────────────────────────────────────────────────────

/** The form zone bounds the system prompt states: evidence only for a TSB number written about zones. */
const formZoneBounds = [25, 5, -10, -30];

export function auditNumbers(answer: string, evidence: AuditEvidence): AuditResult {
  const findings = untraceable(answer, evidence).map(({ token, binding }) => ({
    text: token.text,
    value: (token.sign === -1 ? -1 : 1) * token.values[0]!.value,
    quantity: binding.quantity,
  }));
  return { ok: findings.length === 0, checked: tokensOf(answer).length, untraceable: findings };
}

/** Text values of the results with digits in them (activity names, plan titles), not numbers or dates. */
function namesIn(toolResults: string[]): string[] {
  const names = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      const text = value.trim();
      if (
        text.length >= 3 &&
        text.length <= 120 &&
        /\d/.test(text) &&
        /\p{L}/u.test(text) &&
        !/^[\d\s:.,/+−-]*(?:[a-z]{1,3})?$/i.test(text)
      )
        names.add(text);
    } else if (value && typeof value === 'object') for (const child of Object.values(value)) walk(child);
  };
  for (const text of toolResults) {
    try {
      walk(JSON.parse(text));
    } catch {
      // Not JSON: no names.
    }
  }
  // Longest first, so a name is blanked whole before a shorter one inside it.
  return [...names].sort((a, b) => b.length - a.length);
}

function untraceable(answer: string, evidence: AuditEvidence) {
  const values = evidenceValues(evidence.toolResults);
  const typed = new Set(
    (evidence.athleteText ?? []).flatMap((text) => tokensOf(text).map((token) => token.values[0]!.value)),
  );
  const names = namesIn(evidence.toolResults);
  const blanked = blankExempt(answer, names);
  const tokens = tokensOf(answer, names);
  const bad: { token: NumberToken; binding: Binding }[] = [];
  let previousBinding: Binding | undefined;
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1];
    const binding = bind(answer, blanked, token, previous, previousBinding);
    previousBinding = binding;
    if (!traced(answer, token, binding, values, typed)) bad.push({ token, binding });
  });
  return bad;
}

function traced(
  answer: string,
  token: NumberToken,
  binding: Binding,
  values: EvidenceValue[],
  typed: Set<number>,
): boolean {
  const written = token.values[0]!.value;
  // The athlete's own numbers stand for themselves: as written, not converted or relabelled.
  if (token.sign === 0 && token.values.length === 1 && typed.has(written)) return true;
  const context = answer.slice(
    sentenceSpan(answer, token.start).start,
    sentenceSpan(answer, token.start).end,
  );
  const before = answer.slice(Math.max(0, token.start - 16), token.start - (token.sign === 0 ? 0 : 1));
  const approximate = approxWords.test(before);
  const quantity = binding.quantity;
  const candidates: number[] = [];
  if (quantity === null) {
    for (const value of values) candidates.push(value.value, ...(value.raw === undefined ? [] : [value.raw]));
  } else {
    const kinds = new Set(accepts[quantity]);
    if (quantity === 'percent') kinds.add('ratio');
    for (const value of values)
      if (kinds.has(value.quantity))
        candidates.push(
          value.quantity === 'ratio' && quantity === 'percent' ? value.value * 100 : value.value,
        );
  }
  // The form zones the prompt explains (−30, −10, +5, +25), quoted about form.
  if ((quantity === null || quantity === 'tsb') && zoneContext.test(context) && formWords.test(context))
    candidates.push(...formZoneBounds);
  // A sign written must match; TSB without a sign reads as positive unless the words say otherwise.
  const signedQuantity = quantity === 'tsb' || quantity === 'tsb_change';
  const negativeByWords = negativeWords.test(context);
  return token.values.some(({ value, tolerance, reading }) => {
    let allowed = tolerance;
    if (approximate && reading === undefined) {
      const magnitude = Math.abs(value);
      if (Number.isInteger(magnitude) && magnitude >= 10 && magnitude % 10 === 0) allowed = 5;
      if (Number.isInteger(magnitude) && magnitude >= 100 && magnitude % 100 === 0) allowed = 50;
      if (allowed < 1 && Number.isInteger(magnitude)) allowed = 1;
    }
    const canonicalValue = binding.toCanonical(value);
    const canonicalTolerance = allowed * binding.factor + Math.abs(canonicalValue) * 1e-9;
    return candidates.some((candidate) => {
      if (token.sign === 1 && candidate < 0) return false;
      if (token.sign === -1 && candidate > 0) return false;
      if (token.sign === 0 && signedQuantity && candidate < 0 && !negativeByWords && canonicalValue !== 0)
        return false;
      return Math.abs(Math.abs(candidate) - canonicalValue) <= canonicalTolerance;
    });
  });
}

/**
 * The answer without the sentences (or list lines) that hold an untraceable number: a claim goes whole,
 * never patched. Empty when nothing traceable is left.
 */
export function removeUntraceableSentences(answer: string, evidence: AuditEvidence): string {
  const bad = untraceable(answer, evidence).map(({ token }) => token.start);
  if (bad.length === 0) return answer;
  const spans = sentenceSpans(answer).filter((span) => bad.some((at) => at >= span.start && at < span.end));
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += answer.slice(cursor, span.start);
    cursor = span.end;
  }
  out += answer.slice(cursor);
  return out
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/ {2,}/g, ' ')
    .trim();
}

// ── For the evaluation: does an answer state a fact? ────────────────────────────────────────────────────

/** Every number stated in a text (unsigned), with m:ss and h:mm:ss read as seconds. */
function evidenceNumbers(texts: string[]): number[] {
  const values = new Set<number>();
  for (const text of texts)
    for (const token of tokensOf(text.replace(/[−–]/g, '-')))
      for (const { value } of token.values) values.add(value);
  return [...values];
}

const conversions: ((x: number) => number)[] = [
  (x) => x,
  (x) => x / 1000,
  (x) => x * mile,
  (x) => x / 60,
  (x) => x * 60,
  (x) => x / 3600,
  (x) => x * 3600,
  (x) => x / 100,
];

/** Whether `text` states `value` (within `tolerance`), directly or through a unit conversion (for the eval). */
export function mentionsNumber(text: string, value: number, tolerance: number): boolean {
  const stated = evidenceNumbers([text]);
  return stated.some((number) =>
    conversions.some((convert) => Math.abs(convert(number) - Math.abs(value)) <= tolerance),
  );
}
