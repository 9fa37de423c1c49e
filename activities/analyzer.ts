import type { StressMethod } from '../db/tables/activity-metrics.ts';
import type { ThresholdKind } from '../db/tables/athlete-thresholds.ts';
import {
  type ActivityMetrics,
  analyze,
  parseStravaStreams,
  type RawStreams,
  StreamError,
  toCliJson,
} from '../metrics/index.ts';

export interface AnalysisInput {
  /** Strava key_by_type stream JSON, or null when the activity has none (manual entries). */
  streams: Record<string, unknown> | null;
  sport: string;
  thresholds: Partial<Record<ThresholdKind, number>>;
  sex: 'male' | 'female' | null;
  /** Highest heart rate in the athlete's history, used when max HR is not set (METRICS.md §4). */
  historyMaxHr: number | null;
  movingTimeS: number | null;
  elapsedTimeS: number | null;
  distanceM: number | null;
}

export interface AnalysisResult {
  stress: number;
  method: StressMethod;
  durationS: number;
  movingS: number;
  npW: number | null;
  intensity: number | null;
  avgHr: number | null;
  maxHr: number | null;
  decouplingPct: number | null;
  /** The full metric set, in the analyze CLI's JSON shape. */
  metrics: Record<string, unknown>;
  thresholdsUsed: Record<string, unknown>;
}

/** The metrics engine as the write path calls it: thresholds by kind in, stored shape out (pure). */
export function analyzeActivity(input: AnalysisInput): AnalysisResult {
  const t = input.thresholds;
  const raw = usableStreams(input.streams);
  const m = analyze(raw, {
    sport: input.sport,
    thresholds: {
      ftp: t.ftp ?? null,
      runFtp: t.run_ftp ?? null,
      lthr: t.lthr ?? null,
      maxHr: t.max_hr ?? null,
      restHr: t.rest_hr ?? null,
      thresholdPaceSPerKm: t.threshold_pace ?? null,
      swimThresholdPaceSPer100m: t.swim_threshold_pace ?? null,
      sex: input.sex,
    },
    historyMaxHr: input.historyMaxHr,
    summary: {
      movingTimeS: input.movingTimeS,
      elapsedTimeS: input.elapsedTimeS,
      distanceM: input.distanceM,
    },
  });
  return {
    stress: m.stress.value,
    method: m.stress.method,
    durationS: m.durationS,
    movingS: m.movingS,
    npW: m.power?.np ?? null,
    intensity: intensityOf(m),
    avgHr: m.hr?.avg ?? null,
    maxHr: m.hr?.max ?? null,
    decouplingPct: m.decouplingPct,
    metrics: { ...toCliJson(m), warnings: m.warnings },
    thresholdsUsed: m.thresholdsUsed as unknown as Record<string, unknown>,
  };
}

/**
 * The activity's intensity is the IF of the method that gave its stress (METRICS.md §6): a ride's IF is
 * never a running-pace IF, and heart-rate scores and estimates have none.
 */
function intensityOf(m: ActivityMetrics): number | null {
  switch (m.stress.method) {
    case 'power':
      return m.power?.if ?? null;
    case 'pace':
      return m.pace?.if ?? null;
    case 'swim':
      return m.swim?.if ?? null;
    default:
      return null;
  }
}

/**
 * Strava answers with whatever channels it has: an activity recorded without a time series (or with an
 * empty one) is scored like a manual entry, from its moving time, instead of failing its sync forever.
 */
function usableStreams(streams: Record<string, unknown> | null): RawStreams | null {
  if (!streams) return null;
  try {
    const raw = parseStravaStreams(streams);
    return raw.time.length >= 2 ? raw : null;
  } catch (error) {
    if (error instanceof StreamError) return null;
    throw error;
  }
}
