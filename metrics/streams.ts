/**
 * Stream input (Strava key_by_type JSON, or the array form) and the 1 Hz series of METRICS.md §1.
 * Inside the engine a missing value is NaN in a Float64Array; nothing NaN ever leaves the engine.
 */

export const channelNames = [
  'watts',
  'heartrate',
  'cadence',
  'velocity_smooth',
  'distance',
  'altitude',
  'grade_smooth',
  'temp',
] as const;
type Channel = (typeof channelNames)[number];

/** Streams as arrays of (possibly null or bogus) values, index-aligned with `time`. */
export interface RawStreams {
  time: unknown[];
  channels: Partial<Record<Channel, unknown[]>>;
  moving?: unknown[];
  latlng?: unknown[];
  /**
   * The device's own timer (FIT timer start … stop events), as the [start, stop) intervals in stream
   * seconds during which it ran. Present (even empty) means the timer decides the pauses (§1.2).
   */
  timer?: [number, number][];
  /** Pool swims: the FIT `length` messages (§5), start in stream seconds. */
  pool?: PoolLengths;
  /** The device's session totals, to tell a file cut short (§1.6). */
  session?: { timerS: number | null; distanceM: number | null };
}

interface PoolLengths {
  lengthM: number | null;
  lengths: { startS: number; durationS: number; active: boolean }[];
}

export class StreamError extends Error {
  override name = 'StreamError';
}

/** Every stream must have one value per time sample; misaligned arrays would pair the wrong values. */
export function checkAligned(raw: RawStreams): void {
  const n = raw.time.length;
  const lists: [string, unknown[] | undefined][] = [
    ...channelNames.map((name): [string, unknown[] | undefined] => [name, raw.channels[name]]),
    ['moving', raw.moving],
    ['latlng', raw.latlng],
  ];
  for (const [name, values] of lists) {
    if (values && values.length !== n)
      throw new StreamError(
        `the "${name}" stream has ${values.length} values but "time" has ${n}: streams must be sampled together`,
      );
  }
}

/** Plausible ranges (METRICS.md §1.1); a value outside is missing, with a note the athlete sees. */
const validRange: Partial<Record<Channel, [number, number]>> = {
  heartrate: [25, 250],
  watts: [0, 3000],
  velocity_smooth: [0, 40],
  cadence: [0, 300],
  distance: [0, 1e7],
  altitude: [-500, 9000],
  grade_smooth: [-100, 100],
  temp: [-60, 70],
};
const channelLabel: Record<Channel, [string, string]> = {
  watts: ['power', 'W'],
  heartrate: ['heart rate', 'bpm'],
  cadence: ['cadence', 'rpm'],
  velocity_smooth: ['speed', 'm/s'],
  distance: ['distance', 'm'],
  altitude: ['altitude', 'm'],
  grade_smooth: ['grade', '%'],
  temp: ['temperature', '°C'],
};

/** Without a device timer a gap longer than this is a pause (§1.2). */
const maxFilledGapS = 15;
/** With a device timer, a gap while it runs longer than this is a lost recording (§1.2). */
const maxTimerGapS = 600;
const maxPauseS = 24 * 3600;

/** One value per recorded second. Channels absent from the input are null. */
export interface Series {
  n: number;
  /** Seconds from the first sample, per recorded second (pauses are not in the series). */
  time: Float64Array;
  power: Float64Array | null;
  hr: Float64Array | null;
  cadence: Float64Array | null;
  /** m/s: velocity_smooth, or derived from the distance stream. */
  speed: Float64Array | null;
  distance: Float64Array | null;
  altitude: Float64Array | null;
  /** Percent. */
  grade: Float64Array | null;
  temp: Float64Array | null;
  /** 1 moving, 0 stopped, per METRICS.md §1.4. */
  moving: Uint8Array;
  /**
   * Index of each segment's first second, ascending (the first is 0 when n > 0): segment k runs from
   * segments[k] to segments[k + 1] (or n). Rolling and mean-maximal windows stay inside one (§1.2).
   */
  segments: Int32Array;
  /** Seconds between the first and last recorded second that are not recorded (pauses). */
  pausedS: number;
  /** Samples dropped for a missing, non-finite or earlier time (not those merged into their second). */
  droppedSamples: number;
  /** Whether the device's own timer decided the pauses. */
  deviceTimer: boolean;
  /** What the athlete should know about the input: implausible values dropped, and when. */
  notes: string[];
  pool: PoolLengths | null;
  session: { timerS: number | null; distanceM: number | null } | null;
}

function toNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** h:mm:ss of elapsed seconds. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const formatNumber = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });

/**
 * METRICS.md §1: drop bad times, merge samples of the same second (the later record wins per field),
 * drop implausible values (with a note), and build the 1 Hz series over recorded time, in segments
 * separated by pauses — the device timer's where the file has one, else gaps over 15 s.
 */
export function toSeries(input: RawStreams): Series {
  checkAligned(input);
  let raw = input;
  // A power stream without a single positive value is a meter that was not there, not a 0 W ride.
  if (raw.channels.watts && !raw.channels.watts.some((v) => typeof v === 'number' && v > 0 && v <= 3000)) {
    raw = { ...raw, channels: { ...raw.channels } };
    delete raw.channels.watts;
  }
  const present = channelNames.filter((name) => raw.channels[name] !== undefined);
  const total = raw.time.length;
  const times = new Float64Array(total);
  // Pass 1, over time only: which kept second each sample lands in (−1: dropped), and whether it is the
  // first sample of that second (a later one of the same second is merged into it).
  const target = new Int32Array(total);
  const opens = new Uint8Array(total);
  let kept = 0;
  let last = Number.NEGATIVE_INFINITY;
  let first = Number.NaN;
  for (let i = 0; i < total; i++) {
    target[i] = -1;
    const t = toNumber(raw.time[i]);
    if (!Number.isFinite(t)) continue;
    const rounded = Math.round(t);
    if (rounded < last) continue;
    // A jump of more than a day between two samples is a corrupt timestamp, not a pause.
    if (kept > 0 && rounded - last > maxPauseS) continue;
    if (rounded !== last) {
      if (kept === 0) first = rounded;
      times[kept] = rounded;
      opens[i] = 1;
      kept++;
      last = rounded;
    }
    target[i] = kept - 1;
  }
  // Pass 2, one channel at a time (two memory streams each, not eighteen at once): plausible ranges,
  // then the merge — a value missing in one record is taken from the other, else the later record wins.
  const columns: Float64Array[] = [];
  const dropped = present.map(() => ({ low: 0, high: 0, firstLow: 0, firstHigh: 0 }));
  for (const [c, name] of present.entries()) {
    const source = raw.channels[name]!;
    const column = new Float64Array(total);
    const low = validRange[name]?.[0] ?? Number.NEGATIVE_INFINITY;
    const high = validRange[name]?.[1] ?? Number.POSITIVE_INFINITY;
    const heart = name === 'heartrate';
    const d = dropped[c]!;
    for (let i = 0; i < total; i++) {
      const k = target[i]!;
      if (k < 0) continue;
      let v = toNumber(source[i]);
      if (v < low || v > high) {
        // 0 bpm is a strap without contact, not a reading: missing, without a note.
        if (!(heart && v === 0)) {
          if (v < low) {
            if (d.low++ === 0) d.firstLow = times[k]! - first;
          } else if (d.high++ === 0) d.firstHigh = times[k]! - first;
        }
        v = Number.NaN;
      }
      if (opens[i] === 1 || !Number.isNaN(v)) column[k] = v;
    }
    columns.push(column);
  }
  let movingSource: Float64Array | null = null;
  if (raw.moving) {
    movingSource = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      const k = target[i]!;
      if (k < 0) continue;
      const v = raw.moving[i];
      const flag = v === true ? 1 : v === false ? 0 : Number.NaN;
      if (opens[i] === 1 || !Number.isNaN(flag)) movingSource[k] = flag;
    }
  }
  // Merged samples (same second) are kept, not dropped.
  let droppedSamples = 0;
  for (let i = 0; i < total; i++) if (target[i]! < 0) droppedSamples++;
  const notes: string[] = [];
  for (let c = 0; c < present.length; c++) {
    const [label, unit] = channelLabel[present[c]!];
    const range = validRange[present[c]!]!;
    const d = dropped[c]!;
    const more = (count: number) => (count > 1 ? ` (and ${count - 1} more)` : '');
    if (d.high > 0)
      notes.push(
        `${label} above ${formatNumber(range[1])} ${unit} dropped at ${formatElapsed(d.firstHigh)}${more(d.high)}`,
      );
    if (d.low > 0)
      notes.push(
        `${label} below ${formatNumber(range[0])} ${unit} dropped at ${formatElapsed(d.firstLow)}${more(d.low)}`,
      );
  }

  // The recorded spans: [from, to) in seconds, each a segment.
  const spans: [number, number][] = [];
  const deviceTimer = raw.timer !== undefined;
  if (kept > 0 && !deviceTimer) {
    let from = times[0]!;
    for (let k = 1; k < kept; k++) {
      if (times[k]! - times[k - 1]! > maxFilledGapS) {
        spans.push([from, times[k - 1]! + 1]);
        from = times[k]!;
      }
    }
    spans.push([from, times[kept - 1]! + 1]);
  } else if (kept > 0) {
    const intervals = [...raw.timer!]
      .map(([a, b]): [number, number] => [Math.round(a), Math.round(b)])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    let k = 0;
    for (const [a, b] of intervals) {
      // The samples the interval holds, its stop second included (as an interpolation end only).
      while (k < kept && times[k]! < a) k++;
      let end = k;
      while (end < kept && times[end]! <= b) end++;
      if (end === k) continue; // nothing recorded while the timer ran: a lost recording
      // The span runs from the interval's first sample to its last (the stop second itself excluded):
      // before the first and after the last record nothing was recorded, whatever the timer says.
      let from = times[k]!;
      for (let j = k + 1; j < end; j++) {
        if (times[j]! - times[j - 1]! > maxTimerGapS) {
          spans.push([from, Math.min(b, times[j - 1]! + 1)]);
          from = times[j]!;
        }
      }
      const to = Math.min(b, times[end - 1]! + 1);
      if (to > from) spans.push([from, to]);
      k = end > k && times[end - 1] === b ? end - 1 : end;
    }
  }
  // Spans never overlap (intervals are disjoint after sorting; guard against a device that says otherwise).
  let n = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const span of spans) {
    if (span[0] < lastEnd) span[0] = lastEnd;
    if (span[1] > span[0]) n += span[1] - span[0];
    lastEnd = Math.max(lastEnd, span[1]);
  }

  const time = new Float64Array(n);
  let out: Float64Array[];
  let movingFlag: Float64Array | null;
  const segmentStarts: number[] = [];
  if (
    spans.length === 1 &&
    n === kept &&
    spans[0]![0] === times[0] &&
    spans[0]![1] === times[kept - 1]! + 1
  ) {
    // One span holding every sample, one a second (a 1 Hz stream without pauses): the merged columns are
    // the series already; no second pass, no second copy.
    segmentStarts.push(0);
    for (let i = 0; i < n; i++) time[i] = times[i]! - first;
    out = columns.map((column) => column.subarray(0, n));
    movingFlag = movingSource ? movingSource.subarray(0, n) : null;
  } else {
    out = present.map(() => new Float64Array(n));
    movingFlag = movingSource ? new Float64Array(n) : null;
    fillSpans(spans, times, kept, first, columns, movingSource, time, out, movingFlag, segmentStarts);
  }
  const values: Partial<Record<Channel, Float64Array>> = {};
  for (let c = 0; c < present.length; c++) values[present[c]!] = out[c]!;

  let speed = values.velocity_smooth ?? null;
  if (!speed && values.distance && increases(values.distance)) {
    // No speed stream: the distance stream gives it (per recorded second). A distance that never grows
    // (an erg or a trainer writing 0 m throughout) is no sensor, as all-zero power is no meter: deriving
    // 0 m/s from it would make the whole session "stopped".
    speed = new Float64Array(n).fill(Number.NaN);
    const d = values.distance;
    for (let i = 1; i < n; i++) {
      const v = d[i]! - d[i - 1]!;
      speed[i] = Number.isFinite(v) && v >= 0 && v <= 40 && time[i]! - time[i - 1]! === 1 ? v : Number.NaN;
    }
  }
  const moving = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = speed ? speed[i]! : Number.NaN;
    if (Number.isFinite(v)) moving[i] = v >= 0.5 ? 1 : 0;
    else if (movingFlag && Number.isFinite(movingFlag[i]!)) moving[i] = movingFlag[i]! === 1 ? 1 : 0;
    else moving[i] = 1;
  }
  return {
    n,
    time,
    power: values.watts ?? null,
    hr: values.heartrate ?? null,
    cadence: values.cadence ?? null,
    speed,
    distance: values.distance ?? null,
    altitude: values.altitude ?? null,
    grade: values.grade_smooth ?? null,
    temp: values.temp ?? null,
    moving,
    segments: Int32Array.from(segmentStarts),
    pausedS: n > 0 ? time[n - 1]! - time[0]! + 1 - n : 0,
    droppedSamples,
    deviceTimer,
    notes,
    pool: raw.pool ?? null,
    session: raw.session ?? null,
  };
}

/** The 1 Hz values of each span: a sample's own second, linear between two samples, else missing. */
function fillSpans(
  spans: [number, number][],
  times: Float64Array,
  kept: number,
  first: number,
  columns: Float64Array[],
  movingSource: Float64Array | null,
  time: Float64Array,
  out: Float64Array[],
  movingFlag: Float64Array | null,
  segmentStarts: number[],
): void {
  let s = 0;
  let k = 0;
  for (const [from, to] of spans) {
    if (to <= from) continue;
    segmentStarts.push(s);
    while (k + 1 < kept && times[k + 1]! <= from) k++;
    for (let sec = from; sec < to; sec++, s++) {
      while (k + 1 < kept && times[k + 1]! <= sec) k++;
      time[s] = sec - first;
      const t0 = times[k]!;
      if (t0 === sec) {
        for (let c = 0; c < columns.length; c++) out[c]![s] = columns[c]![k]!;
        if (movingFlag) movingFlag[s] = movingSource![k]!;
      } else if (t0 < sec && t0 >= from && k + 1 < kept && times[k + 1]! <= to) {
        // Linear between the two samples around it; NaN stays NaN where either end is missing.
        const t1 = times[k + 1]!;
        const f = (sec - t0) / (t1 - t0);
        for (let c = 0; c < columns.length; c++) {
          const a = columns[c]![k]!;
          out[c]![s] = a + (columns[c]![k + 1]! - a) * f;
        }
        if (movingFlag) {
          const a = movingSource![k]!;
          const b = movingSource![k + 1]!;
          movingFlag[s] = a === 1 && b === 1 ? 1 : b;
        }
      } else {
        // Before the first or after the last sample of a span the timer ran: counted, values missing.
        for (let c = 0; c < columns.length; c++) out[c]![s] = Number.NaN;
        if (movingFlag) movingFlag[s] = Number.NaN;
      }
    }
  }
}

/** [from, to) index ranges of the segments. */
export function segmentRanges(series: Pick<Series, 'n' | 'segments'>): [number, number][] {
  const ranges: [number, number][] = [];
  for (let k = 0; k < series.segments.length; k++) {
    const from = series.segments[k]!;
    const to = k + 1 < series.segments.length ? series.segments[k + 1]! : series.n;
    if (to > from) ranges.push([from, to]);
  }
  return ranges;
}

/** Count of finite values. */
export function presentCount(values: Float64Array | null): number {
  if (!values) return 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) count++;
  return count;
}

/** Whether some finite value is greater than an earlier one. */
function increases(values: Float64Array): boolean {
  let low = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v > low) return true;
    if (v < low) low = v;
  }
  return false;
}
