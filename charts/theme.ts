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
  panelBorder: 'rgba(255, 255, 255, 0.18)',
} as const;

/**
 * Sized for a phone: Discord shows an embed image about 360 px wide there, so charts are laid out at
 * 360 CSS pixels (fonts readable at that width) and drawn at twice the pixel density (a 720 px PNG), which
 * stays sharp on a phone's screen and on a desktop's wider embed.
 */
export const defaultSize = { width: 360, height: 250 } as const;
/** Device pixels per layout pixel: the PNG is this many times the layout size. */
export const pixelRatio = 2;

export const fontFamily = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";

/** Layout pixels: at 360 px wide, 11 px text is the smallest a phone shows legibly. */
export const fonts = {
  title: { family: fontFamily, size: 13, weight: 'bold' as const },
  axisTitle: { family: fontFamily, size: 11 },
  ticks: { family: fontFamily, size: 11 },
  legend: { family: fontFamily, size: 11 },
  label: { family: fontFamily, size: 10.5 },
};
