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
export {
  bestSumsAllDurations,
  bestSumsAt,
  bestSumsAtDirect,
  bestSumsBruteForce,
  curveDurations,
  curveGrid,
  curveGridUpTo,
  envelopeCurve,
  powerCurve,
} from './mean-max.ts';
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
export { parseStravaStreams } from './strava-streams.ts';
export {
  type PoolLengths,
  type RawStreams,
  type Series,
  StreamError,
  segmentRanges,
  toSeries,
} from './streams.ts';
