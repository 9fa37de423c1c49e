import { performance } from 'node:perf_hooks';
import { createBot } from '../app/bot.ts';
import { digestTickJob } from '../bot/jobs/digest-tick.job.ts';
import { activityChartConfig } from '../charts/activity-chart.ts';
import { pmcChartConfig } from '../charts/pmc-chart.ts';
import { powerCurveChartConfig } from '../charts/power-curve-chart.ts';
import { jobNames } from '../lib/jobs/job-names.ts';
import { addDays, localDate } from '../lib/local-time.ts';
import { computePmc } from '../metrics/pmc.ts';
import { percentile, round, startBenchApp } from './bench-app.ts';

const formRuns = 30;
const renderRuns = 20;
const digestAthletes = 10_000;

/**
 * The bot's latencies through the real discord.js client and the Discord fake: /form to its first
 * response (the deferral) and to the final reply with the chart; each chart's render time; and the digest
 * tick's fan-out over 10,000 due athletes.
 */
export async function run(): Promise<Record<string, unknown>> {
  const app = await startBenchApp();
  const bot = createBot(app.ctx);
  try {
    await bot.start();
    const user = '630000000000000001';
    const today = localDate(app.ctx.now(), 'UTC');
    const athlete = await app.database.db
      .insertInto('athletes')
      .values({ discord_user_id: user, timezone: 'UTC', digest_enabled: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A year of training load, as a recompute leaves it.
    const days = Array.from({ length: 365 }, (_, i) => ({
      date: addDays(today, i - 364),
      stress: i % 7 === 0 ? 0 : 40 + ((i * 37) % 90),
    }));
    await app.database.db
      .insertInto('daily_load')
      .values(computePmc(days).map((row) => ({ athlete_id: athlete.id, ...row, sources: ['strava_api'] })))
      .execute();

    const firstResponse: number[] = [];
    const finalReply: number[] = [];
    for (let i = 0; i < formRuns; i++) {
      const started = performance.now();
      const interaction = await app.discord.sendInteraction(
        app.discord.build.slashCommand({ userId: user, name: 'form', options: { days: 90 } }),
      );
      await app.discord.waitForCallback(interaction, 10_000);
      firstResponse.push(performance.now() - started);
      await app.discord.waitForReply(interaction, { predicate: (m) => !m.loading, timeoutMs: 20_000 });
      finalReply.push(performance.now() - started);
    }

    const series = days.slice(-90).map((d, i) => ({
      date: d.date,
      ctl: 50 + i / 10,
      atl: 60 - i / 20,
      tsb: -10 + i / 8,
      stress: d.stress,
    }));
    const n = 3600;
    const time = Float64Array.from({ length: n }, (_, i) => i);
    const specs = {
      pmc: pmcChartConfig({ days: series }),
      activity: activityChartConfig({
        time_s: time,
        power: Float64Array.from(time, (t) => 200 + 60 * Math.sin(t / 120)),
        hr: Float64Array.from(time, (t) => 130 + t / 100),
        speed: null,
        sport: 'Ride',
        units: 'metric',
      }),
      power_curve: powerCurveChartConfig({
        period: [1, 5, 15, 60, 300, 1200, 3600].map((s) => [s, 900 / Math.log(s + 2.5)] as [number, number]),
        allTime: [1, 5, 15, 60, 300, 1200, 3600].map(
          (s) => [s, 1000 / Math.log(s + 2.5)] as [number, number],
        ),
      }),
    };
    const render: Record<string, { p50_ms: number; p95_ms: number }> = {};
    for (const [name, spec] of Object.entries(specs)) {
      await app.ctx.charts.renderSpec(spec); // warm-up: fonts and code paths
      const times: number[] = [];
      for (let i = 0; i < renderRuns; i++) {
        const started = performance.now();
        await app.ctx.charts.renderSpec(spec);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      render[name] = { p50_ms: round(percentile(times, 50)), p95_ms: round(percentile(times, 95)) };
    }

    // 10,000 athletes whose digest time has passed and who have not had today's.
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
    for (let i = 0; i < digestAthletes; i += 1_000) {
      await app.database.db
        .insertInto('athletes')
        .values(
          Array.from({ length: Math.min(1_000, digestAthletes - i) }, (_, k) => ({
            discord_user_id: String(640000000000000000n + BigInt(i + k)),
            timezone: zones[(i + k) % zones.length]!,
            digest_time: '00:00',
            digest_enabled: true,
          })),
        )
        .execute();
    }
    const started = performance.now();
    await digestTickJob.handler({}, app.ctx, undefined as never);
    const fanOutMs = performance.now() - started;
    const [stats] = await app.boss.getQueueStats(jobNames.digestSend);
    const queuedCount = stats?.queuedCount ?? 0;

    firstResponse.sort((a, b) => a - b);
    finalReply.sort((a, b) => a - b);
    return {
      form: {
        runs: formRuns,
        first_response_p50_ms: round(percentile(firstResponse, 50)),
        first_response_p95_ms: round(percentile(firstResponse, 95)),
        final_reply_p50_ms: round(percentile(finalReply, 50)),
        final_reply_p95_ms: round(percentile(finalReply, 95)),
      },
      chart_render: { renderer: app.ctx.charts.mode, ...render },
      digest_fan_out: {
        athletes: digestAthletes,
        jobs_created: queuedCount,
        seconds: round(fanOutMs / 1000, 2),
        jobs_per_second: Math.round(queuedCount / (fanOutMs / 1000)),
      },
    };
  } finally {
    await bot.stop();
    await app.stop();
  }
}
