import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { metricsCoverage } from '../../db/queries/activities.ts';
import { athleteOverview } from '../../db/queries/athlete-overview.ts';
import { findAthleteByDiscordId, listThresholds } from '../../db/queries/athletes.ts';
import { localDate, localDateTime } from '../../lib/local-time.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { isFinished, progressBar } from '../sync-progress.ts';

export default defineCommand<BotContext, z.ZodObject>({
  data: new SlashCommandBuilder()
    .setName('status')
    .setDescription('The health of your data: connection, sync, and what is missing')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .toJSON(),
  options: z.object({}),
  execute: async ({ invoker }, ctx) => {
    const athlete = await findAthleteByDiscordId(ctx.db, invoker.userId);
    if (!athlete) return { content: 'Nothing here yet. Start with `/connect`.' };
    const now = new Date();
    const today = localDate(now, athlete.timezone);
    const [o, thresholds, missing] = await Promise.all([
      athleteOverview(ctx.db, athlete.id, today),
      listThresholds(ctx.db, athlete.id),
      metricsCoverage(ctx.db, athlete.id),
    ]);
    const has = new Set(thresholds.map((t) => t.kind));
    const fields: { name: string; value: string; inline?: boolean }[] = [];
    const c = o.connection;
    fields.push({
      name: 'Strava',
      value: !c
        ? 'not connected — `/connect`'
        : c.status === 'active'
          ? `connected, scope \`${c.scope}\`; token renews itself (current one until ${localDateTime(c.expires_at, athlete.timezone).time})`
          : 'Strava stopped accepting the connection — `/connect` to fix',
    });
    const run = o.lastRun;
    if (run) {
      const processed = run.synced + run.skipped + run.failed;
      const when = localDateTime(run.updated_at, athlete.timezone);
      let value = `${run.kind} import of ${run.requested}: ${run.state} (${when.date} ${when.time})\n\`${progressBar(processed, Math.max(run.listed, 1), 12)}\` ${processed}/${run.listed}`;
      if (!isFinished(run) && run.state === 'waiting_rate_limit' && run.resume_at) {
        value += `\n⏳ waiting for Strava’s rate limit, resuming at ${localDateTime(run.resume_at, athlete.timezone).time}`;
      }
      if (run.failed > 0) value += `\n${run.failed} could not be read`;
      fields.push({ name: 'Last sync', value });
    }
    fields.push({
      name: 'Activities',
      value: `${o.counts.activities} stored, ${o.counts.with_streams} with streams${o.load ? `; load computed through ${o.load.date}` : ''}`,
    });
    const costs: string[] = [];
    if (missing.no_streams > 0) {
      costs.push(
        `${missing.no_streams} without streams (manual entries): their stress is estimated from duration only`,
      );
    }
    if (missing.estimated > 0)
      costs.push(`${missing.estimated} scored by estimate (no usable stream or threshold)`);
    if (!has.has('ftp') && missing.rides_on_hr > 0) {
      costs.push(
        `${missing.rides_on_hr} rides scored from heart rate because FTP is not set — \`/settings ftp:…\``,
      );
    }
    if (!has.has('threshold_pace') && missing.runs_on_hr > 0) {
      costs.push(
        `${missing.runs_on_hr} runs scored from heart rate because threshold pace is not set — \`/settings run_pace:…\``,
      );
    }
    for (const [kind, option] of [
      ['ftp', 'ftp'],
      ['lthr', 'lthr'],
      ['threshold_pace', 'run_pace'],
    ] as const) {
      if (!has.has(kind)) costs.push(`${option} not set — \`/settings ${option}:…\``);
    }
    fields.push({
      name: 'What is missing',
      value:
        costs.length > 0
          ? costs.map((line) => `• ${line}`).join('\n')
          : 'Nothing — every number has what it needs.',
    });
    return {
      embeds: [
        {
          title: 'Your data',
          color: c?.status === 'active' ? 0x2da44e : 0xd29922,
          fields,
          footer: 'Powered by Strava',
        },
      ],
    };
  },
});
