import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChartConfiguration } from 'chart.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activityChartConfig } from './activity-chart.ts';
import { emptySpec, minSecTicks } from './chart-spec.ts';
import {
  createChartRenderer,
  noDataImage,
  pngDimensions,
  quickChartSource,
  textRenderingAvailable,
  withFunctions,
} from './renderer.ts';
import { decodePng } from './test-png.ts';
import { background, colors } from './theme.ts';
import { zonesChartConfig } from './zones-chart.ts';

/** A fake QuickChart server: records each POST and answers with a fixed PNG (or a status to fail with). */
let server: Server;
let baseUrl: string;
const received: { path: string; contentType: string | undefined; body: Record<string, unknown> }[] = [];
let failWith: number | null = null;
let servedPng: Buffer;

beforeAll(async () => {
  servedPng = await noDataImage('served by the fake QuickChart', { width: 320, height: 160 });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: `${req.method} ${req.url}`,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      if (failWith !== null) {
        res.writeHead(failWith, { 'x-quickchart-error': 'chart config invalid' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' }).end(servedPng);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  failWith = null;
});

const zones = zonesChartConfig({
  kind: 'hr',
  seconds: [600, 1800, 900, 300, 60],
  labels: ['Z1', 'Z2', 'Z3', 'Z4', 'Z5'],
});
const zonesConfig = (zones.kind === 'chart' ? zones.config : null) as ChartConfiguration;

describe('createChartRenderer with a QuickChart server', () => {
  it('posts the same configuration, size and background to /chart and returns the PNG it answers', async () => {
    const renderer = createChartRenderer({ quickchartUrl: baseUrl });
    expect(renderer.mode).toBe('quickchart');
    const png = await renderer.render(zonesConfig, { width: 800, height: 400 });
    expect(png.equals(servedPng)).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('POST /chart');
    expect(received[0]!.contentType).toBe('application/json');
    const { chart, ...rest } = received[0]!.body;
    expect(JSON.parse(chart as string)).toEqual(zonesConfig);
    expect(rest).toEqual({
      width: 800,
      height: 400,
      backgroundColor: background,
      format: 'png',
      version: '4',
      devicePixelRatio: 1,
    });
  });

  it('sends what JSON cannot say as JavaScript functions, at twice the density for a spec', async () => {
    const renderer = createChartRenderer({ quickchartUrl: baseUrl });
    const pace = activityChartConfig({
      time_s: [0, 1, 2, 3],
      speed: [3.7, 3.8, 3.6, 3.7],
      sport: 'Run',
      units: 'metric',
    });
    await renderer.renderSpec(pace);
    const { chart, devicePixelRatio, width } = received.at(-1)!.body as {
      chart: string;
      devicePixelRatio: number;
      width: number;
    };
    expect([width, devicePixelRatio]).toEqual([360, 2]);
    // QuickChart evaluates the configuration as JavaScript: it must be valid, with the functions in place.
    const config = new Function(`return (${chart});`)() as {
      options: {
        scales: Record<string, { ticks: { callback?: (v: number) => string } }>;
        plugins: { legend: { labels: { filter: unknown; generateLabels: unknown } } };
      };
    };
    expect(config.options.scales['primary']!.ticks.callback!(4.5)).toBe('4:30');
    expect(typeof config.options.plugins.legend.labels.filter).toBe('function');
    expect(typeof config.options.plugins.legend.labels.generateLabels).toBe('function');
  });

  it('keeps a path prefix of the configured URL', async () => {
    const renderer = createChartRenderer({ quickchartUrl: `${baseUrl}/quickchart/` });
    await renderer.render(zonesConfig, { width: 600, height: 300 });
    expect(received.map((r) => r.path)).toEqual(['POST /quickchart/chart']);
  });

  it('falls back to rendering in process when the server fails, and says so', async () => {
    failWith = 500;
    const errors: unknown[] = [];
    const renderer = createChartRenderer({
      quickchartUrl: baseUrl,
      onQuickChartError: (e) => errors.push(e),
    });
    const png = await renderer.render(zonesConfig, { width: 640, height: 320 });
    expect(pngDimensions(png)).toEqual({ width: 640, height: 320 });
    expect(String(errors[0])).toContain('status code 500');
    expect(String(errors[0])).toContain('chart config invalid');
  });

  it('rejects when fallback is off', async () => {
    failWith = 400;
    const renderer = createChartRenderer({ quickchartUrl: baseUrl, fallbackToInProcess: false });
    await expect(renderer.render(zonesConfig, { width: 640, height: 320 })).rejects.toThrow(
      'status code 400',
    );
  });
});

describe('createChartRenderer in process', () => {
  it('renders at the requested size on the theme background', async () => {
    const renderer = createChartRenderer({ quickchartUrl: null });
    expect(renderer.mode).toBe('in-process');
    const png = await renderer.render(zonesConfig, { width: 500, height: 250 });
    expect(pngDimensions(png)).toEqual({ width: 500, height: 250 });
    expect((await decodePng(png)).pixel(0, 0)).toBe(background);
  });

  it('does not change the configuration it is given', async () => {
    const before = JSON.stringify(zonesConfig);
    await createChartRenderer().render(zonesConfig, { width: 400, height: 200 });
    expect(JSON.stringify(zonesConfig)).toBe(before);
  });

  it('refuses sizes that are not whole pixels in range', async () => {
    const renderer = createChartRenderer();
    await expect(renderer.render(zonesConfig, { width: 0, height: 400 })).rejects.toThrow(RangeError);
    await expect(renderer.render(zonesConfig, { width: 800.5, height: 400 })).rejects.toThrow(RangeError);
  });

  it('turns an empty spec into a "no data" image, even with a QuickChart server configured', async () => {
    const renderer = createChartRenderer({ quickchartUrl: baseUrl });
    const png = await renderer.renderSpec(
      emptySpec('Power-duration curve', 'No power data.', { width: 700, height: 350 }),
    );
    // Drawn at twice the density, like every chart.
    expect(pngDimensions(png)).toEqual({ width: 1400, height: 700 });
    expect(received).toHaveLength(0);
  });
});

describe('noDataImage', () => {
  it('draws the title and message in light text on the dark background', async () => {
    expect(textRenderingAvailable()).toBe(true);
    const png = await noDataImage('No training load yet.', { width: 800, height: 400, title: 'Fitness' });
    const image = await decodePng(png);
    expect([image.width, image.height]).toEqual([800, 400]);
    expect(image.pixel(0, 0)).toBe(background);
    expect(image.count(colors.text, 8)).toBeGreaterThan(300);
    expect(image.count(colors.mutedText, 8)).toBeGreaterThan(100);
  });
});

describe('pngDimensions', () => {
  it('reads IHDR and rejects anything else', () => {
    expect(pngDimensions(servedPng)).toEqual({ width: 320, height: 160 });
    expect(pngDimensions(Buffer.from('GIF89a not a png at all, no'))).toBeNull();
    expect(pngDimensions(new Uint8Array(4))).toBeNull();
  });
});

describe('what a JSON configuration cannot say', () => {
  const paceConfig = (): ChartConfiguration =>
    ({
      type: 'line',
      data: {
        datasets: [
          { label: 'Pace', data: [], borderDash: [] },
          { label: 'Planned', data: [], borderDash: [4, 3] },
          { label: 'Hidden', data: [], thresholdLegend: false },
        ],
      },
      options: {
        scales: { pace: { ticks: { ...minSecTicks } } },
        plugins: { legend: { labels: { thresholdLegend: 'dashes' } } },
      },
    }) as unknown as ChartConfiguration;

  it('labels a pace axis in m:ss, in process and for QuickChart', () => {
    const config = withFunctions(paceConfig());
    const callback = (config.options!.scales!['pace']!.ticks as { callback: (v: number) => string }).callback;
    expect([4.5, 5, 4.999, 10.25].map(callback)).toEqual(['4:30', '5:00', '5:00', '10:15']);
    const source = quickChartSource(paceConfig());
    expect(source).toContain('"callback":function(v)');
    expect(source).not.toContain('thresholdFormat');
    const quickChartCallback = new Function(
      `return ${/"callback":(function\(v\)\{.*?\})(?=[,}])/.exec(source)![1]}`,
    )();
    expect([4.5, 5, 10.25].map(quickChartCallback)).toEqual(['4:30', '5:00', '10:15']);
  });

  it('leaves marked datasets out of the legend', () => {
    const config = withFunctions(paceConfig());
    const labels = config.options!.plugins!.legend!.labels as unknown as {
      filter: (item: { datasetIndex: number }, data: ChartConfiguration['data']) => boolean;
    };
    expect([0, 1, 2].map((i) => labels.filter({ datasetIndex: i }, config.data))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('draws a dashed series dashed in the legend', async () => {
    // A legend of one dashed line on a plain background: along the legend's row, the line's colour
    // comes and goes.
    const png = await createChartRenderer().render(
      {
        type: 'line',
        data: {
          labels: ['a', 'b'],
          datasets: [
            {
              label: 'Planned',
              data: [1, 2],
              borderColor: '#ff0000',
              borderDash: [4, 3],
              borderWidth: 2,
              pointStyle: 'line',
              pointRadius: 0,
            },
          ],
        },
        options: {
          scales: { x: { display: false }, y: { display: false, min: 10, max: 20 } },
          plugins: {
            legend: { labels: { usePointStyle: true, pointStyleWidth: 40, thresholdLegend: 'dashes' } },
          },
        },
      } as unknown as ChartConfiguration,
      { width: 200, height: 100 },
    );
    const image = await decodePng(png);
    let runs = 0;
    let previous = false;
    for (let y = 0; y < 30; y++) {
      let row = 0;
      let inside = false;
      for (let x = 0; x < 200; x++) {
        const red = image.pixel(x, y) === '#ff0000';
        if (red && !inside) row++;
        inside = red;
      }
      runs = Math.max(runs, row);
      previous ||= row > 0;
    }
    expect(previous).toBe(true);
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
