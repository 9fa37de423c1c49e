import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { loadStreams } from '../../activities/activity-store.ts';
import { activityChartConfig } from '../../charts/activity-chart.ts';
import { zonesChartConfig } from '../../charts/zones-chart.ts';
import { activitiesInRange, activityDetail } from '../../db/queries/training.ts';
import { AppError } from '../../lib/errors.ts';
import type { ButtonSpec, EmbedSpec, FileSpec } from '../../lib/presentation/reply.ts';
import type { CliJson } from '../../metrics/cli-json.ts';
import { parseStravaStreams } from '../../metrics/strava-streams.ts';
import { StreamError, toSeries } from '../../metrics/streams.ts';
import type { BotContext } from '../bot-context.ts';
import { defineCommand } from '../command.ts';
import { clip } from '../discord-adapter.ts';
import { requireAthlete } from '../require-athlete.ts';
import { activityEmbed, hrZoneNames, powerZoneNames } from '../views/activity-view.ts';

const Options = z.object({
  // Autocomplete hands back our activity id; a typed name is looked up among recent activities.
  activity: z.string().trim().min(1).max(100).optional(),
});

export default defineCommand<BotContext, typeof Options>({
  data: new SlashCommandBuilder()
    .setName('activity')
    .setDescription('One workout: stress, power or pace, heart rate, decoupling, peaks and a chart')
    .setIntegrationTypes(0, 1)
    .setContexts(0, 1, 2)
    .addStringOption((o) =>
      o
        .setName('activity')
        .setDescription('Pick one of your recent activities (default: the latest)')
        .setAutocomplete(true)
        .setMaxLength(100),
    )
    .toJSON(),
  options: Options,
  defer: true,
  autocomplete: async ({ invoker, focused }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId).catch(() => null);
    if (!athlete) return [];
    const rows = await activitiesInRange(ctx.db, athlete.id, {
      limit: 25,
      ...(focused.value.trim() ? { nameLike: focused.value.trim() } : {}),
    });
    return rows.map((row) => {
      // Discord shows 100 characters: a long name gives way, the date and the stress stay.
      const stress = row.stress !== null ? ` · ${Math.round(row.stress)} stress` : '';
      const room = 100 - row.date.length - ' · '.length - stress.length;
      return { name: `${row.date} · ${clip(row.name || row.sport, room)}${stress}`, value: row.id };
    });
  },
  execute: async ({ invoker, options }, ctx) => {
    const athlete = await requireAthlete(ctx, invoker.userId);
    const id = await resolveActivityId(ctx, athlete.id, options.activity);
    const detail = id ? await activityDetail(ctx.db, athlete.id, id) : undefined;
    if (!detail) {
      if (!options.activity) {
        return {
          content: 'No activities yet. Import them with `/sync count:20`, or `/upload` a workout file.',
        };
      }
      throw new AppError('not_found', {
        message: `activity ${options.activity} not found for athlete ${athlete.id}`,
        userMessage: `No activity of yours matches “${options.activity}”. Pick one from the list as you type.`,
      });
    }
    const metrics = (detail.metrics ?? null) as Partial<CliJson> | null;
    const files: FileSpec[] = [];
    const embeds: EmbedSpec[] = [];
    const chart = await activityChart(ctx, detail.id, detail.sport_type, athlete.units, detail.name);
    if (chart)
      files.push({
        name: 'activity.png',
        data: chart,
        description: 'Power or pace and heart rate over time',
      });
    embeds.push(
      activityEmbed(
        {
          name: detail.name,
          sport: detail.sport_type,
          startDateLocal: detail.start_date_local,
          source: detail.source,
          movingS: detail.moving_time_s,
          distanceM: detail.distance_m,
          elevationM: detail.elevation_gain_m,
          streamsState: detail.streams_state,
          stress: detail.stress,
          method: detail.stress_method,
          metrics,
          units: athlete.units,
        },
        chart ? 'attachment://activity.png' : null,
      ),
    );
    const zones = zoneChartInput(metrics);
    if (zones) {
      files.push({
        name: 'zones.png',
        data: await ctx.charts.renderSpec(zonesChartConfig(zones)),
        description: 'Time in zones',
      });
      embeds.push({
        title: zones.title ?? 'Time in zones',
        color: 0xfc5200,
        image: 'attachment://zones.png',
      });
    }
    const components: ButtonSpec[][] = detail.strava_id
      ? [
          [
            {
              kind: 'link',
              label: 'View on Strava',
              url: `https://www.strava.com/activities/${detail.strava_id}`,
            },
          ],
        ]
      : [];
    return { embeds, files, components };
  },
});

async function resolveActivityId(ctx: BotContext, athleteId: string, input: string | undefined) {
  // A picked choice is our id; digits that are no activity of the athlete's may be a typed name ("10k").
  if (input && /^\d+$/.test(input) && (await activityDetail(ctx.db, athleteId, input))) return input;
  const [latest] = await activitiesInRange(ctx.db, athleteId, {
    limit: 1,
    ...(input ? { nameLike: input } : {}),
  });
  return latest?.id ?? null;
}

/** The over-time chart from the stored streams; null when there are none (manual entries, purged). */
async function activityChart(
  ctx: BotContext,
  activityId: string,
  sport: string,
  units: 'metric' | 'imperial',
  name: string,
) {
  const json = await loadStreams(ctx.db, activityId);
  if (!json) return null;
  try {
    const series = toSeries(parseStravaStreams(json));
    if (series.n < 2) return null;
    return await ctx.charts.renderSpec(
      activityChartConfig({
        time_s: series.time,
        power: series.power,
        speed: series.speed,
        hr: series.hr,
        sport,
        units,
        title: name || null,
      }),
    );
  } catch (error) {
    if (error instanceof StreamError) return null;
    throw error;
  }
}

function zoneChartInput(metrics: Partial<CliJson> | null) {
  const power = metrics?.zones?.power;
  if (power?.some((s) => s > 0)) {
    return {
      kind: 'power' as const,
      seconds: power,
      labels: powerZoneNames.slice(0, power.length),
      title: 'Time in power zones',
    };
  }
  const hr = metrics?.zones?.hr;
  if (hr?.some((s) => s > 0)) {
    return {
      kind: 'hr' as const,
      seconds: hr,
      labels: hrZoneNames.slice(0, hr.length),
      title: 'Time in heart-rate zones',
    };
  }
  return null;
}
