export {
  type ActivityMetrics,
  type AnalyzeOptions,
  analyze,
  analyzeSeries,
  bestEffortDistances,
  minettiCost,
  reportedDurations,
  type StressMethod,
  type Thresholds,
} from './analyze.ts';
export { type CliJson, toCliJson } from './cli-json.ts';
export { bestSumsAllDurations, bestSumsBruteForce, curveDurations } from './mean-max.ts';
export {
  computePmc,
  extendPmc,
  type FormZone,
  formReading,
  type PmcRow,
  type PmcState,
  pmcFrom,
} from './pmc.ts';
export { estimatedStressPerHour, type SportFamily, sportFamily } from './sport.ts';
export { parseStravaStreams, type RawStreams, type Series, StreamError, toSeries } from './streams.ts';
