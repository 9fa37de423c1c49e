import { athleteOverview } from '../../db/queries/athlete-overview.ts';
import { findAthleteByDiscordId } from '../../db/queries/athletes.ts';
import { localDate } from '../../lib/local-time.ts';
import { withCliContext } from '../cli-context.ts';
import { type CliCommand, CliError, parseCliArgs, UsageError } from '../command.ts';
import { discordUserId } from './arguments.ts';

const round = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? null : Number(value.toFixed(digits));

export default {
  name: 'athlete',
  summary: "Print an athlete's connection, thresholds, recent activities and today's form as JSON",
  usage: `Usage: npm run --silent cli -- athlete <discord-user-id>

Prints one JSON object: connection state and scope, thresholds, activity counts, the last 10 activities
with their stress and method, today's CTL/ATL/TSB, and the last sync run with its Strava API call count.`,
  run: async (argv, io) => {
    const { positionals } = parseCliArgs(argv, {});
    if (positionals.length !== 1) throw new UsageError('expected exactly one Discord user id');
    const userId = discordUserId(positionals[0]!);
    return withCliContext(async ({ database }) => {
      const athlete = await findAthleteByDiscordId(database.db, userId);
      if (!athlete) throw new CliError(`no athlete for Discord user ${userId}`);
      const today = localDate(new Date(), athlete.timezone);
      const o = await athleteOverview(database.db, athlete.id, today);
      io.out(
        JSON.stringify(
          {
            discord_user_id: athlete.discord_user_id,
            strava_athlete_id: athlete.strava_athlete_id,
            name: athlete.name,
            timezone: athlete.timezone,
            connection: o.connection
              ? {
                  state: o.connection.status,
                  scope: o.connection.scope,
                  token_expires_at: o.connection.expires_at.toISOString(),
                }
              : { state: 'not_connected', scope: null, token_expires_at: null },
            thresholds: o.thresholds.map((t) => ({
              kind: t.kind,
              value: t.value,
              effective_date: t.effective_date,
              source: t.source,
            })),
            activity_count: o.counts.activities,
            activities_with_streams: o.counts.with_streams,
            activities_estimated: o.counts.estimated,
            last_activities: o.recent.map((a) => ({
              id: a.id,
              strava_id: a.strava_id,
              source: a.source,
              date: a.local_date,
              name: a.name,
              sport: a.sport_type,
              moving_s: a.moving_time_s,
              distance_m: a.distance_m,
              stress: round(a.stress),
              method: a.stress_method,
            })),
            today: {
              date: today,
              ctl: round(o.load?.ctl),
              atl: round(o.load?.atl),
              tsb: round(o.load?.tsb),
              ramp: round(o.load?.ramp),
              as_of: o.load?.date ?? null,
            },
            last_sync: o.lastRun
              ? {
                  id: o.lastRun.id,
                  kind: o.lastRun.kind,
                  state: o.lastRun.state,
                  requested: o.lastRun.requested,
                  listed: o.lastRun.listed,
                  synced: o.lastRun.synced,
                  skipped: o.lastRun.skipped,
                  failed: o.lastRun.failed,
                }
              : null,
          },
          null,
          2,
        ),
      );
      return 0;
    });
  },
} satisfies CliCommand;
