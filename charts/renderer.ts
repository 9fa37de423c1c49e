import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartData,
  Filler,
  Legend,
  type LegendItem,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  type Plugin,
  PointElement,
  SubTitle,
  Title,
} from 'chart.js';
import QuickChartModule from 'quickchart-js';
import { minutesAsMinSec } from '../lib/format.ts';
import { annotationPlugin } from './annotation-plugin.ts';
import type { ChartSize, ChartSpec } from './chart-spec.ts';
import { background, colors, fontFamily } from './theme.ts';

// quickchart-js types describe its CommonJS build; under ESM the default export is the class itself.
const QuickChart = QuickChartModule as unknown as typeof QuickChartModule.default;

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  SubTitle,
  Title,
);

/** Layout size; the PNG is `pixelRatio` (default 1 here, 2 for every builder's spec) times larger. */
interface RenderSize extends ChartSize {
  backgroundColor?: string;
}

export interface ChartRenderer {
  /** 'quickchart' when a QuickChart server is configured, else 'in-process'. */
  mode: 'in-process' | 'quickchart';
  /** A Chart.js configuration (plain JSON) to PNG. */
  render: (config: ChartConfiguration, size: RenderSize) => Promise<Buffer>;
  /** A builder's result to PNG: the chart, or a "no data" image when the builder found nothing to draw. */
  renderSpec: (spec: ChartSpec) => Promise<Buffer>;
}

export interface ChartRendererOptions {
  /** Base URL of a QuickChart server (e.g. http://quickchart:3400); null or absent renders in process. */
  quickchartUrl?: string | null;
  /** QuickChart failures fall back to the in-process renderer (default true); this hears about them. */
  onQuickChartError?: (error: unknown) => void;
  fallbackToInProcess?: boolean;
  timeoutMs?: number;
}

/**
 * Renders chart configurations to PNG: in process (chart.js on @napi-rs/canvas) by default, or through a
 * QuickChart server with the very same configuration.
 */
export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const quickchartUrl = options.quickchartUrl ? new URL(options.quickchartUrl) : null;
  const fallback = options.fallbackToInProcess ?? true;
  const timeoutMs = options.timeoutMs ?? 15_000;

  const render = async (config: ChartConfiguration, size: RenderSize): Promise<Buffer> => {
    checkSize(size);
    if (!quickchartUrl) return renderInProcess(config, size);
    try {
      return await renderWithQuickChart(quickchartUrl, config, size, timeoutMs);
    } catch (error) {
      options.onQuickChartError?.(error);
      if (!fallback) throw error;
      return renderInProcess(config, size);
    }
  };

  return {
    mode: quickchartUrl ? 'quickchart' : 'in-process',
    render,
    renderSpec: (spec) =>
      spec.kind === 'chart'
        ? render(spec.config, { width: spec.width, height: spec.height, pixelRatio: spec.pixelRatio })
        : noDataImage(spec.message, {
            width: spec.width,
            height: spec.height,
            pixelRatio: spec.pixelRatio,
            title: spec.title,
          }),
  };
}

/** True when the canvas found at least one font; without one, chart text would not be drawn. */
export function textRenderingAvailable(): boolean {
  return GlobalFonts.families.length > 0;
}

function checkSize(size: ChartSize): void {
  const ratio = size.pixelRatio ?? 1;
  if (!(ratio >= 1 && ratio <= 4)) throw new RangeError(`pixel ratio must be 1 to 4, got ${ratio}`);
  for (const value of [size.width, size.height]) {
    if (!Number.isInteger(value) || value < 50 || value * ratio > 4000) {
      throw new RangeError(`chart size must be whole pixels between 50 and 4000, got ${value} × ${ratio}`);
    }
  }
}

/**
 * What a JSON configuration cannot say, as functions: axes marked `thresholdFormat: 'minsec'` (decimal
 * minutes) get m:ss tick labels; a legend marked `thresholdLegend: 'dashes'` draws dashed series dashed
 * (Chart.js takes a point-style legend item's style from the point, which has no dash) and leaves out
 * datasets marked `thresholdLegend: false`.
 */
export function withFunctions(config: ChartConfiguration): ChartConfiguration {
  const scales = (config.options?.scales ?? {}) as Record<string, { ticks?: Record<string, unknown> }>;
  for (const scale of Object.values(scales)) {
    if (scale.ticks?.['thresholdFormat'] === 'minsec') {
      scale.ticks['callback'] = (value: number | string) => minutesAsMinSec(Number(value));
    }
  }
  const labels = (config.options?.plugins?.legend as { labels?: Record<string, unknown> } | undefined)
    ?.labels;
  if (labels?.['thresholdLegend'] === 'dashes') {
    type Item = LegendItem & { datasetIndex?: number };
    labels['generateLabels'] = (chart: Chart) =>
      Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item: Item) => {
        const dash = (chart.data.datasets[item.datasetIndex ?? -1] as { borderDash?: number[] } | undefined)
          ?.borderDash;
        return dash && dash.length > 0 ? { ...item, lineDash: dash } : item;
      });
    labels['filter'] = (item: Item, data: ChartData) =>
      (data.datasets[item.datasetIndex ?? -1] as { thresholdLegend?: boolean } | undefined)
        ?.thresholdLegend !== false;
  }
  return config;
}

/** The same tick formats for QuickChart, which evaluates a configuration written as JavaScript. */
const minSecFunction =
  "function(v){var s=Math.round(Math.abs(v)*60);return (v<0&&s>0?'\u2212':'')+Math.floor(s/60)+':'+(s%60<10?'0':'')+(s%60);}";
const legendFunctions =
  '"generateLabels":function(c){return c.constructor.defaults.plugins.legend.labels.generateLabels(c).map(function(i){var d=c.data.datasets[i.datasetIndex];if(d&&d.borderDash&&d.borderDash.length)i.lineDash=d.borderDash;return i;});},' +
  '"filter":function(i,data){var d=data.datasets[i.datasetIndex];return !(d&&d.thresholdLegend===false);}';
export function quickChartSource(config: ChartConfiguration): string {
  return JSON.stringify(config)
    .replaceAll('"thresholdFormat":"minsec"', `"callback":${minSecFunction}`)
    .replaceAll('"thresholdLegend":"dashes"', legendFunctions);
}

/** Chart.js clears the canvas before drawing, so the background is painted from a plugin. */
function backgroundPlugin(color: string): Plugin {
  return {
    id: 'thresholdBackground',
    beforeDraw: (chart) => {
      const ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

async function renderInProcess(config: ChartConfiguration, size: RenderSize): Promise<Buffer> {
  // Laid out at the layout size; Chart.js scales the canvas by the pixel ratio before drawing.
  const canvas = createCanvas(size.width, size.height);
  // A JSON round trip: Chart.js mutates what it is given, and anything not JSON would not reach QuickChart.
  const copy = withFunctions(JSON.parse(JSON.stringify(config)) as ChartConfiguration);
  copy.plugins = [backgroundPlugin(size.backgroundColor ?? background), annotationPlugin];
  copy.options = {
    ...copy.options,
    responsive: false,
    animation: false,
    devicePixelRatio: size.pixelRatio ?? 1,
  };
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], copy);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

async function renderWithQuickChart(
  base: URL,
  config: ChartConfiguration,
  size: RenderSize,
  timeoutMs: number,
): Promise<Buffer> {
  const path = base.pathname.replace(/\/+$/, '');
  const client = new QuickChart()
    .setScheme(base.protocol.replace(':', ''))
    .setHost(`${base.host}${path}`)
    // A JSON string is sent as-is; an object would be re-serialised as a JavaScript literal.
    .setConfig(quickChartSource(config))
    .setWidth(size.width)
    .setHeight(size.height)
    .setBackgroundColor(size.backgroundColor ?? background)
    .setFormat('png')
    .setVersion('4')
    .setDevicePixelRatio(size.pixelRatio ?? 1);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`QuickChart did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const png = await Promise.race([client.toBinary(), timeout]);
    if (!isPng(png)) throw new Error('QuickChart answered with something that is not a PNG');
    return png;
  } finally {
    clearTimeout(timer);
  }
}

function isPng(buffer: Buffer): boolean {
  return buffer.length > 24 && buffer.subarray(0, 8).equals(pngSignature);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk; null when the bytes are not a PNG. */
export function pngDimensions(buffer: Uint8Array): { width: number; height: number } | null {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (!isPng(bytes) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A clear "nothing to show yet" image, drawn in process, so a chart command never posts a blank chart. */
export async function noDataImage(
  message: string,
  options: {
    width: number;
    height: number;
    pixelRatio?: number;
    title?: string | null;
    backgroundColor?: string;
  },
): Promise<Buffer> {
  checkSize(options);
  const { width, height } = options;
  const ratio = options.pixelRatio ?? 1;
  const canvas = createCanvas(Math.round(width * ratio), Math.round(height * ratio));
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  // Text sized for the layout width: a phone-sized image gets phone-sized text.
  const em = Math.max(11, Math.min(15, width / 30));
  ctx.fillStyle = options.backgroundColor ?? background;
  ctx.fillRect(0, 0, width, height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (options.title) {
    ctx.fillStyle = colors.text;
    ctx.font = `bold ${Math.round(em * 1.2)}px ${fontFamily}`;
    ctx.fillText(options.title, width / 2, em * 1.5, width - 20);
  }
  // A flat, empty axis frame says "chart" without suggesting any data.
  const left = width * 0.12;
  const right = width * 0.88;
  const top = height * 0.22;
  const bottom = height * 0.78;
  ctx.strokeStyle = colors.axisBorder;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, bottom);
  ctx.lineTo(right, bottom);
  ctx.stroke();
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  for (let i = 1; i <= 3; i++) {
    const y = bottom - ((bottom - top) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(right, y);
    ctx.stroke();
  }
  ctx.fillStyle = colors.text;
  ctx.font = `bold ${Math.round(em * 1.4)}px ${fontFamily}`;
  ctx.fillText('No data yet', width / 2, (top + bottom) / 2 - em, width - 30);
  ctx.fillStyle = colors.mutedText;
  ctx.font = `${em}px ${fontFamily}`;
  wrap(ctx, message, width * 0.76 - 8).forEach((line, i) => {
    ctx.fillText(line, width / 2, (top + bottom) / 2 + em + i * em * 1.3, width - 30);
  });
  return canvas.encode('png');
}

function wrap(ctx: { measureText: (text: string) => { width: number } }, text: string, maxWidth: number) {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = current ? `${current} ${word}` : word;
    if (ctx.measureText(next).width > maxWidth && current) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  if (current) lines.push(current);
  return lines.slice(0, 3);
}
