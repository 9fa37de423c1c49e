import type { Chart, Plugin, Scale } from 'chart.js';

/**
 * The few chartjs-plugin-annotation options our charts use — `box` and `line` annotations with an
 * optional label — drawn in process, so one configuration renders the same here and on a QuickChart
 * server (which ships the real plugin). Anything else in the options is ignored.
 */

type Position = 'start' | 'center' | 'end';

interface LabelOptions {
  display?: boolean;
  content?: string | string[];
  position?: Position | { x?: Position; y?: Position };
  color?: string;
  backgroundColor?: string;
  font?: { family?: string; size?: number; weight?: string | number };
  padding?: number;
}

interface AnnotationOptions {
  type?: 'box' | 'line';
  drawTime?: 'beforeDatasetsDraw' | 'afterDatasetsDraw' | 'afterDraw';
  xScaleID?: string;
  yScaleID?: string;
  scaleID?: string;
  value?: number | string;
  xMin?: number | string;
  xMax?: number | string;
  yMin?: number | string;
  yMax?: number | string;
  backgroundColor?: string;
  borderColor?: string;
  borderWidth?: number;
  borderDash?: number[];
  label?: LabelOptions;
}

type DrawTime = NonNullable<AnnotationOptions['drawTime']>;

export const annotationPlugin: Plugin = {
  id: 'annotation',
  beforeDatasetsDraw: (chart) => drawAll(chart, 'beforeDatasetsDraw'),
  afterDatasetsDraw: (chart) => drawAll(chart, 'afterDatasetsDraw'),
  afterDraw: (chart) => drawAll(chart, 'afterDraw'),
};

function drawAll(chart: Chart, time: DrawTime): void {
  const options = (chart.options.plugins as Record<string, unknown> | undefined)?.['annotation'] as
    | { annotations?: Record<string, AnnotationOptions> | AnnotationOptions[] }
    | undefined;
  const list = options?.annotations ? Object.values(options.annotations) : [];
  for (const annotation of list) {
    if ((annotation.drawTime ?? 'afterDatasetsDraw') !== time) continue;
    if (annotation.type === 'box') drawBox(chart, annotation);
    else if (annotation.type === 'line') drawLine(chart, annotation);
  }
}

/**
 * Pixel range of [min, max] on a scale, clamped to the chart area and the scale's extent; the scale's full
 * side when a bound is absent.
 */
function span(
  scale: Scale | undefined,
  min: number | string | undefined,
  max: number | string | undefined,
  full: [number, number],
): [number, number] | null {
  if (!scale) return full;
  // Within the scale's own extent: a stacked axis (one panel of several) owns only part of the area.
  const lo = Math.max(full[0], scale.isHorizontal() ? scale.left : scale.top);
  const hi = Math.min(full[1], scale.isHorizontal() ? scale.right : scale.bottom);
  const a = min === undefined ? null : scale.getPixelForValue(min as number);
  const b = max === undefined ? null : scale.getPixelForValue(max as number);
  const p1 = a === null ? (scale.isHorizontal() ? lo : hi) : a;
  const p2 = b === null ? (scale.isHorizontal() ? hi : lo) : b;
  if (!Number.isFinite(p1) || !Number.isFinite(p2)) return null;
  const start = Math.max(lo, Math.min(p1, p2));
  const end = Math.min(hi, Math.max(p1, p2));
  return end > start ? [start, end] : null;
}

function drawBox(chart: Chart, a: AnnotationOptions): void {
  const area = chart.chartArea;
  const xs = span(a.xScaleID ? chart.scales[a.xScaleID] : undefined, a.xMin, a.xMax, [area.left, area.right]);
  const ys = span(a.yScaleID ? chart.scales[a.yScaleID] : undefined, a.yMin, a.yMax, [area.top, area.bottom]);
  if (!xs || !ys) return;
  const ctx = chart.ctx;
  ctx.save();
  if (a.backgroundColor) {
    ctx.fillStyle = a.backgroundColor;
    ctx.fillRect(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
  }
  if (a.borderWidth && a.borderColor) {
    ctx.strokeStyle = a.borderColor;
    ctx.lineWidth = a.borderWidth;
    ctx.setLineDash(a.borderDash ?? []);
    ctx.strokeRect(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
  }
  ctx.restore();
  if (a.label?.display) {
    const position = typeof a.label.position === 'object' ? a.label.position : {};
    drawLabel(chart, a.label, xs, ys, position.x ?? 'center', position.y ?? 'center');
  }
}

function drawLine(chart: Chart, a: AnnotationOptions): void {
  const area = chart.chartArea;
  const scale = a.scaleID ? chart.scales[a.scaleID] : undefined;
  if (!scale || a.value === undefined) return;
  const pixel = scale.getPixelForValue(a.value as number);
  if (!Number.isFinite(pixel)) return;
  const vertical = scale.isHorizontal();
  if (vertical ? pixel < area.left || pixel > area.right : pixel < area.top || pixel > area.bottom) return;
  const ctx = chart.ctx;
  ctx.save();
  ctx.strokeStyle = a.borderColor ?? 'rgba(255, 255, 255, 0.8)';
  ctx.lineWidth = a.borderWidth ?? 2;
  ctx.setLineDash(a.borderDash ?? []);
  ctx.beginPath();
  if (vertical) {
    ctx.moveTo(pixel, area.top);
    ctx.lineTo(pixel, area.bottom);
  } else {
    ctx.moveTo(area.left, pixel);
    ctx.lineTo(area.right, pixel);
  }
  ctx.stroke();
  ctx.restore();
  if (a.label?.display) {
    // Like the plugin: the label sits on the line, at its start, centre or end.
    const along: Position = typeof a.label.position === 'string' ? a.label.position : 'center';
    if (vertical) drawLabel(chart, a.label, [pixel, pixel], [area.top, area.bottom], 'center', along, true);
    else drawLabel(chart, a.label, [area.left, area.right], [pixel, pixel], along, 'center', true);
  }
}

function drawLabel(
  chart: Chart,
  label: LabelOptions,
  xs: [number, number],
  ys: [number, number],
  px: Position,
  py: Position,
  onLine = false,
): void {
  const lines = Array.isArray(label.content) ? label.content : label.content ? [label.content] : [];
  if (lines.length === 0) return;
  const ctx = chart.ctx;
  const font = label.font ?? {};
  const size = font.size ?? 12;
  const padding = label.padding ?? 6;
  ctx.save();
  ctx.font = `${font.weight ?? 'normal'} ${size}px ${font.family ?? 'sans-serif'}`;
  const width = Math.max(...lines.map((line) => ctx.measureText(line).width)) + padding * 2;
  const height = lines.length * size * 1.2 + padding * 2;
  const place = (range: [number, number], extent: number, where: Position) => {
    if (onLine && range[0] === range[1]) return range[0] - extent / 2;
    if (where === 'start') return range[0];
    if (where === 'end') return range[1] - extent;
    return (range[0] + range[1]) / 2 - extent / 2;
  };
  let x = place(xs, width, px);
  let y = place(ys, height, py);
  // Keep the label inside the chart area.
  const area = chart.chartArea;
  x = Math.min(Math.max(x, area.left), area.right - width);
  y = Math.min(Math.max(y, area.top), area.bottom - height);
  if (label.backgroundColor) {
    ctx.fillStyle = label.backgroundColor;
    ctx.fillRect(x, y, width, height);
  }
  ctx.fillStyle = label.color ?? '#fff';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  lines.forEach((line, i) => {
    ctx.fillText(line, x + padding, y + padding + i * size * 1.2);
  });
  ctx.restore();
}
