import type { ChartConfiguration } from 'chart.js';
import { colors, defaultSize, fonts } from './theme.ts';

/**
 * What a builder returns: a Chart.js configuration to draw, or the reason there is nothing to draw (the
 * renderer turns that into a "no data" image, never a blank chart). Configurations are plain JSON — no
 * functions — so a QuickChart server renders the very same object.
 */
export type ChartSpec =
  | { kind: 'chart'; config: ChartConfiguration; width: number; height: number }
  | { kind: 'empty'; title: string | null; message: string; width: number; height: number };

export interface ChartSize {
  width: number;
  height: number;
}

export function chartSpec(config: ChartConfiguration, size: ChartSize = defaultSize): ChartSpec {
  return { kind: 'chart', config, width: size.width, height: size.height };
}

export function emptySpec(title: string | null, message: string, size: ChartSize = defaultSize): ChartSpec {
  return { kind: 'empty', title, message, width: size.width, height: size.height };
}

/** Options every chart shares: static (no animation, no resize) and themed. */
export function baseOptions(title: string | null) {
  return {
    responsive: false,
    animation: false as const,
    devicePixelRatio: 1,
    color: colors.text,
    layout: { padding: { top: 4, right: 12, bottom: 4, left: 8 } },
    plugins: {
      title: title
        ? {
            display: true,
            text: title,
            color: colors.text,
            font: fonts.title,
            padding: { top: 4, bottom: 6 },
          }
        : { display: false },
      legend: {
        display: true,
        position: 'top' as const,
        labels: {
          color: colors.text,
          font: fonts.legend,
          usePointStyle: true,
          pointStyleWidth: 22,
          boxHeight: 10,
          padding: 12,
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
    ticks: { color: colors.mutedText, font: fonts.ticks, maxTicksLimit: 8 },
    grid: { display: options.grid ?? true, color: colors.grid, drawTicks: false },
    border: { color: colors.axisBorder },
  };
}

/** A themed category (x) axis; long label lists are thinned to at most `maxTicks`. */
export function categoryAxis(title: string | null, maxTicks = 10) {
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
