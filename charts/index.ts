export { type ActivityChartInput, activityChartConfig, type Units } from './activity-chart.ts';
export type { ChartSize, ChartSpec } from './chart-spec.ts';
export {
  compliancePercent,
  type PlanWeekChartInput,
  type PlanWeekDay,
  planWeekChartConfig,
} from './plan-week-chart.ts';
export {
  formZoneOf,
  formZones,
  type PmcChartDay,
  type PmcChartInput,
  pmcChartConfig,
  pmcSize,
} from './pmc-chart.ts';
export { type PowerCurveChartInput, powerCurveChartConfig } from './power-curve-chart.ts';
export {
  type ChartRenderer,
  type ChartRendererOptions,
  createChartRenderer,
  noDataImage,
  pngDimensions,
  type RenderSize,
  textRenderingAvailable,
} from './renderer.ts';
export { background, defaultSize, pixelRatio } from './theme.ts';
export {
  fiveZoneColors,
  hrZoneNames,
  powerZoneNames,
  type ZonesChartInput,
  zoneColors,
  zonesChartConfig,
} from './zones-chart.ts';
