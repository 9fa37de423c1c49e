import type { ChartConfiguration } from 'chart.js';
import { colors, defaultSize, fonts, pixelRatio } from './theme.ts';

/**
 * What a builder returns: a Chart.js configuration to draw, or the reason there is nothing to draw (the
 * renderer turns that into a "no data" image, never a blank chart). Configurations are plain JSON — no
 * functions — so a QuickChart server renders the very same object.
 */
export type ChartSpec =
  | { kind: 'chart'; config: ChartConfiguration; width: number; height: number; pixelRatio: number }
  | {
      kind: 'empty';
      title: string | null;
      message: string;
      width: number;
      height: number;
      pixelRatio: number;
    };

/** Layout size in CSS pixels, and how many device pixels each one is drawn with (default 2). */
export interface ChartSize {
  width: number;
  height: number;
  pixelRatio?: number;
}

export function chartSpec(config: ChartConfiguration, size: ChartSize = defaultSize): ChartSpec {
  return {
    kind: 'chart',
    config,
    width: size.width,
    height: size.height,
    pixelRatio: size.pixelRatio ?? pixelRatio,
  };
}

export function emptySpec(title: string | null, message: string, size: ChartSize = defaultSize): ChartSpec {
  return {
    kind: 'empty',
    title,
    message,
    width: size.width,
    height: size.height,
    pixelRatio: size.pixelRatio ?? pixelRatio,
  };
}

/** Options every chart shares: static (no animation, no resize) and themed. */
export function baseOptions(title: string | null) {
  return {
    responsive: false,
    animation: false as const,
    color: colors.text,
    layout: { padding: { top: 2, right: 6, bottom: 2, left: 4 } },
    plugins: {
      title: title
        ? {
            display: true,
            text: title,
            color: colors.text,
            font: fonts.title,
            padding: { top: 2, bottom: 4 },
          }
        : { display: false },
      legend: {
        display: true,
        position: 'top' as const,
        labels: {
          color: colors.text,
          font: fonts.legend,
          usePointStyle: true,
          pointStyleWidth: 18,
          boxHeight: 8,
          padding: 8,
          // The renderer draws dashed series dashed in the legend, and leaves out datasets marked
          // `thresholdLegend: false` (see renderer.ts).
          thresholdLegend: 'dashes',
        },
      },
      tooltip: { enabled: false },
    },
  };
}

/** A themed value axis with a title that carries the unit. */
export function valueAxis(
  title: string,
  options: {
    position?: 'left' | 'right' | 'top' | 'bottom';
    min?: number;
    max?: number;
    reverse?: boolean;
    grid?: boolean;
    beginAtZero?: boolean;
    titleColor?: string;
  } = {},
) {
  return {
    type: 'linear' as const,
    position: options.position ?? 'left',
    ...(options.min !== undefined ? { min: options.min } : {}),
    ...(options.max !== undefined ? { max: options.max } : {}),
    reverse: options.reverse ?? false,
    beginAtZero: options.beginAtZero ?? false,
    title: { display: true, text: title, color: options.titleColor ?? colors.text, font: fonts.axisTitle },
    ticks: { color: colors.mutedText, font: fonts.ticks, maxTicksLimit: 6, padding: 3 },
    grid: { display: options.grid ?? true, color: colors.grid, drawTicks: false },
    border: { color: colors.axisBorder },
  };
}

/** A themed category (x) axis; long label lists are thinned to at most `maxTicks`. */
export function categoryAxis(title: string | null, maxTicks = 5) {
  return {
    type: 'category' as const,
    title: title
      ? { display: true, text: title, color: colors.text, font: fonts.axisTitle }
      : { display: false },
    ticks: {
      color: colors.mutedText,
      font: fonts.ticks,
      maxRotation: 0,
      autoSkip: true,
      maxTicksLimit: maxTicks,
      padding: 3,
    },
    grid: { color: colors.grid, drawTicks: false },
    border: { color: colors.axisBorder },
  };
}

/** Rounds for a compact configuration; anything not finite becomes null (a gap), never NaN. */
export function round(value: number | null | undefined, decimals = 1): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * Marks an axis whose values are decimal minutes (a pace) to be labelled m:ss. A configuration holds no
 * functions, so the renderer turns the mark into a tick callback (in process and for QuickChart alike).
 */
export const minSecTicks = { thresholdFormat: 'minsec' } as const;
