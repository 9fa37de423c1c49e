export { type ActivityMetrics, analyze } from './analyze.ts';
export { toCliJson } from './cli-json.ts';
export { bestSumsAt, bestSumsAtDirect, curveGridUpTo, envelopeCurve, powerCurve } from './mean-max.ts';
export { computePmc } from './pmc.ts';
export { parseStravaStreams } from './strava-streams.ts';
export { type RawStreams, StreamError, segmentRanges, toSeries } from './streams.ts';
