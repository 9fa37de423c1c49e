import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
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

export interface RenderSize extends ChartSize {
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
        ? render(spec.config, { width: spec.width, height: spec.height })
        : noDataImage(spec.message, { width: spec.width, height: spec.height, title: spec.title }),
  };
}

/** True when the canvas found at least one font; without one, chart text would not be drawn. */
export function textRenderingAvailable(): boolean {
  return GlobalFonts.families.length > 0;
}

function checkSize(size: ChartSize): void {
  for (const value of [size.width, size.height]) {
    if (!Number.isInteger(value) || value < 50 || value > 4000) {
      throw new RangeError(`chart size must be whole pixels between 50 and 4000, got ${value}`);
    }
  }
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
  const canvas = createCanvas(size.width, size.height);
  // A JSON round trip: Chart.js mutates what it is given, and anything not JSON would not reach QuickChart.
  const copy = JSON.parse(JSON.stringify(config)) as ChartConfiguration;
  copy.plugins = [backgroundPlugin(size.backgroundColor ?? background), annotationPlugin];
  copy.options = { ...copy.options, responsive: false, animation: false, devicePixelRatio: 1 };
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
    .setConfig(JSON.stringify(config))
    .setWidth(size.width)
    .setHeight(size.height)
    .setBackgroundColor(size.backgroundColor ?? background)
    .setFormat('png')
    .setVersion('4')
    .setDevicePixelRatio(1);
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
  options: { width: number; height: number; title?: string | null; backgroundColor?: string },
): Promise<Buffer> {
  checkSize(options);
  const { width, height } = options;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = options.backgroundColor ?? background;
  ctx.fillRect(0, 0, width, height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (options.title) {
    ctx.fillStyle = colors.text;
    ctx.font = `bold 18px ${fontFamily}`;
    ctx.fillText(options.title, width / 2, 24, width - 40);
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
  ctx.font = `bold 22px ${fontFamily}`;
  ctx.fillText('No data yet', width / 2, (top + bottom) / 2 - 16, width - 60);
  ctx.fillStyle = colors.mutedText;
  ctx.font = `15px ${fontFamily}`;
  wrap(ctx, message, width - 120).forEach((line, i) => {
    ctx.fillText(line, width / 2, (top + bottom) / 2 + 16 + i * 20, width - 60);
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
