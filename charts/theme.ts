/**
 * One dark theme for every chart, matched to Discord's dark embed background so an image reads as part of
 * the message. Every colour lives in the configuration itself (not in Chart.js globals), so a QuickChart
 * server draws exactly what the in-process renderer draws.
 */

/** Discord's dark-theme embed background. */
export const background = '#2b2d31';

export const colors = {
  text: '#dbdee1',
  mutedText: '#b5bac1',
  grid: 'rgba(255, 255, 255, 0.09)',
  axisBorder: 'rgba(255, 255, 255, 0.25)',
  fitness: '#4ea8ff',
  fatigue: '#ff6b9a',
  form: '#ffd166',
  stress: 'rgba(181, 186, 193, 0.38)',
  plannedStress: 'rgba(181, 186, 193, 0.16)',
  goal: '#e0e0e0',
  power: '#c38dff',
  powerFill: 'rgba(195, 141, 255, 0.16)',
  speed: '#4fd1a5',
  heartRate: '#ff5c5c',
  allTime: 'rgba(181, 186, 193, 0.85)',
  completed: '#43b581',
  partial: '#faa61a',
  missed: '#f04747',
  planned: 'rgba(181, 186, 193, 0.35)',
  plannedBorder: 'rgba(219, 222, 225, 0.7)',
} as const;

/** Sized for an embed image: Discord scales it down to about 520 px wide, so fonts are generous. */
export const defaultSize = { width: 800, height: 400 } as const;

export const fontFamily = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";

export const fonts = {
  title: { family: fontFamily, size: 18, weight: 'bold' as const },
  axisTitle: { family: fontFamily, size: 14 },
  ticks: { family: fontFamily, size: 13 },
  legend: { family: fontFamily, size: 13 },
};
