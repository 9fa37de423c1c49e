import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { activityChartConfig } from '../charts/activity-chart.ts';
import type { ChartSpec } from '../charts/chart-spec.ts';
import { planWeekChartConfig } from '../charts/plan-week-chart.ts';
import { pmcChartConfig } from '../charts/pmc-chart.ts';
import { powerCurveChartConfig } from '../charts/power-curve-chart.ts';
import { createChartRenderer } from '../charts/renderer.ts';
import { hrZoneNames, powerZoneNames, zonesChartConfig } from '../charts/zones-chart.ts';
import { generateSeason } from '../coach/eval/fixture.ts';
import { addDays } from '../lib/local-time.ts';
import { computePmc } from '../metrics/pmc.ts';
import { generateActivity } from '../test/fakes/strava/generate-streams.ts';

/**
 * `npm run charts:examples [-- out-dir]`: one example PNG of every chart, from deterministic synthetic data
 * (the coach evaluation's season and the Strava fake's streams), into docs/ for the README.
 */
async function main(): Promise<void> {
  const out = process.argv[2] ?? 'docs';
  await mkdir(out, { recursive: true });
  const renderer = createChartRenderer();
  const write = async (name: string, spec: ChartSpec) => {
    const file = path.join(out, name);
    await writeFile(file, await renderer.renderSpec(spec));
    process.stdout.write(`${file}\n`);
  };

  // PMC: the last 90 days of a season, two planned weeks dashed, a race goal.
  const today = '2026-10-31';
  const season = generateSeason({ from: '2026-05-04', to: today, ftp: 250, seed: 7 });
  const pmc = computePmc(
    season.map((a) => ({ date: a.date, stress: a.stress })),
    { until: today },
  );
  const history = pmc.slice(-90);
  const plannedStress = [0, 90, 60, 110, 0, 150, 70, 0, 80, 50, 60, 0, 40, 0];
  const forecast = computePmc(
    [
      ...season.map((a) => ({ date: a.date, stress: a.stress })),
      ...plannedStress.map((stress, i) => ({ date: addDays(today, i + 1), stress })),
    ],
    { until: addDays(today, plannedStress.length) },
  ).slice(-plannedStress.length);
  await write(
    'chart-pmc.png',
    pmcChartConfig({
      days: history.map((d) => ({ date: d.date, ctl: d.ctl, atl: d.atl, tsb: d.tsb, stress: d.stress })),
      forecast: forecast.map((d) => ({ date: d.date, ctl: d.ctl, atl: d.atl, tsb: d.tsb, stress: d.stress })),
      goal: { date: addDays(today, plannedStress.length), name: 'Club TT' },
    }),
  );

  const series = (activity: ReturnType<typeof generateActivity>, key: string) =>
    (activity.streams[key]?.data as number[] | undefined) ?? null;
  const ride = generateActivity({ seed: 3, sport: 'Ride', durationS: 5400, ftp: 250 });
  await write(
    'chart-activity-ride.png',
    activityChartConfig({
      time_s: series(ride, 'time')!,
      power: series(ride, 'watts'),
      speed: series(ride, 'velocity_smooth'),
      hr: series(ride, 'heartrate'),
      sport: 'Ride',
      units: 'metric',
      title: 'Tempo ride',
    }),
  );
  const run = generateActivity({ seed: 5, sport: 'Run', durationS: 3000, thresholdSpeed: 3.7 });
  await write(
    'chart-activity-run.png',
    activityChartConfig({
      time_s: series(run, 'time')!,
      speed: series(run, 'velocity_smooth'),
      hr: series(run, 'heartrate'),
      sport: 'Run',
      units: 'imperial',
      title: 'Easy run (imperial units)',
    }),
  );
  await write(
    'chart-zones-power.png',
    zonesChartConfig({
      kind: 'power',
      seconds: [900, 1500, 1100, 1200, 420, 180, 60],
      labels: powerZoneNames,
    }),
  );
  await write(
    'chart-zones-hr.png',
    zonesChartConfig({ kind: 'hr', seconds: [600, 1900, 900, 1100, 300, 140, 40], labels: hrZoneNames }),
  );
  const curve = (ftp: number, sprint: number, long: number): [number, number][] =>
    [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]
      .filter((s) => s <= long)
      .map((s) => [s, Math.round(ftp * (0.93 + ((sprint / ftp - 0.93) * 25) / (25 + s)))]);
  await write(
    'chart-power-curve.png',
    powerCurveChartConfig({
      period: curve(250, 900, 3600),
      allTime: curve(268, 1020, 7200),
      periodLabel: 'Last 90 days',
    }),
  );
  const monday = '2026-10-26';
  const week = [
    ['Endurance 90 min', 80, 84],
    ['Intervals 5×5', 95, 60],
    [null, null, null],
    ['Tempo run', 60, 71],
    ['Rest', 0, null],
    ['Long ride', 180, null],
    ['Long run', 90, null],
  ] as const;
  await write(
    'chart-plan-week.png',
    planWeekChartConfig({
      days: week.map(([title, planned, done], i) => ({
        date: addDays(monday, i),
        plannedTitle: title,
        plannedStress: planned,
        completedStress: done,
      })),
      today: addDays(monday, 4),
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
