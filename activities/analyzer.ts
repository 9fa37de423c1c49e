import {
  type ActivityMetrics,
  analyze,
  parseStravaStreams,
  type RawStreams,
  StreamError,
  toCliJson,
} from '../metrics/index.ts';
import type { ActivityAnalyzer } from './analyzer-port.ts';

/** The metrics engine behind the pipeline's analyzer port: thresholds by kind in, stored shape out. */
export function createAnalyzer(): ActivityAnalyzer {
  return (input) => {
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
