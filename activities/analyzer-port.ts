import type { StressMethod } from '../db/tables/activity-metrics.ts';
import type { ThresholdKind } from '../db/tables/athlete-thresholds.ts';

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

interface AnalysisResult {
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

/** The metrics engine as the pipeline calls it (pure; an adapter over `metrics/`). */
export type ActivityAnalyzer = (input: AnalysisInput) => AnalysisResult;
