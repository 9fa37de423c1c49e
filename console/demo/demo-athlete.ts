import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { settleLoad } from '../../activities/record-delivery.ts';
import type { BotContext } from '../../bot/bot-context.ts';
import { countActivities } from '../../db/queries/activities.ts';
import { deleteDemoAthletes, insertAthlete, setThreshold } from '../../db/queries/athletes.ts';
import { insertPlan, upsertGoal } from '../../db/queries/planning.ts';
import { readActivityFile, readActivityFileLegs } from '../../imports/detect.ts';
import { importActivityFile, importActivityFileLegs } from '../../imports/import-file.ts';
import { localDate, wallClock } from '../../lib/local-time.ts';
import { addDaysTo, demoProfile, generateSeason, mondayOfDate, seasonWeeks, toTcxFile } from './season.ts';

/**
 * The demo athlete: a generated season plus three real FIT recordings, stored through the same upload
 * path (`importActivityFile`) and planning store as real data. Marked `demo` (never counted, never
 * messaged: its Discord id is not one Discord could have) and removed with every row it owns.
 */
// Snowflake-shaped as the schema requires, but the zero snowflake (Discord's epoch) no user can have.
export const demoDiscordUserId = '00000000000000000';
const demoTimezone = 'Europe/Amsterdam';

const fitFiles = [
  // Two Saturdays before the last day: the race (the multisport file as the device recorded it).
  {
    file: 'fitparse-activity-large-fenxi2-multisport.fit',
    weeksBack: 2,
    day: 5,
    name: 'Demo Sprint Triathlon (race)',
  },
  { file: 'garmin-WithGearChangeData.fit', weeksBack: 6, day: 3, name: 'Group ride (recorded)' },
  { file: 'fitparse-activity-small-fenix2-run.fit', weeksBack: 9, day: 2, name: 'Trail run (recorded)' },
] as const;

export interface DemoLoaded {
  athleteId: string;
  activities: number;
  plans: number;
  firstDay: string;
  lastDay: string;
}

/** Loads (or reloads) the demo season ending yesterday, in the athlete's zone. */
export async function loadDemo(
  ctx: Pick<BotContext, 'db' | 'now' | 'logger'>,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<DemoLoaded> {
  await deleteDemoAthletes(ctx.db);
  const today = localDate(ctx.now(), demoTimezone);
  const lastDay = addDaysTo(today, -1);
  const lastMonday = mondayOfDate(lastDay);
  const placed = fitFiles.map((f) => ({ ...f, date: addDaysTo(lastMonday, -7 * f.weeksBack + f.day) }));
  const season = generateSeason(lastDay, new Set(placed.map((p) => p.date)));
  const firstDay = addDaysTo(lastMonday, -7 * (seasonWeeks - 1));

  const athlete = await insertAthlete(ctx.db, {
    discord_user_id: demoDiscordUserId,
    name: 'Demo Athlete',
    sex: 'female',
    timezone: demoTimezone,
    timezone_chosen: true,
    digest_enabled: false,
    demo: true,
  });
  const p = demoProfile;
  for (const [kind, value] of [
    ['ftp', p.ftpW],
    ['lthr', p.lthr],
    ['max_hr', p.maxHr],
    ['rest_hr', p.restHr],
    ['threshold_pace', p.runThresholdSPerKm],
    ['swim_threshold_pace', p.swimThresholdSPer100m],
  ] as const) {
    await setThreshold(ctx.db, athlete.id, kind, value, firstDay);
  }

  // Plans first, so the imports below pair last week's sessions with them as real uploads would.
  const raceDay = addDaysTo(mondayOfDate(today), 7 * 6 + 6);
  const plans = planDays(lastDay, raceDay);
  for (const plan of plans) await insertPlan(ctx.db, athlete.id, plan);
  await upsertGoal(ctx.db, athlete.id, {
    date: raceDay,
    name: 'Demo Half Distance Triathlon',
    targetTsb: 10,
  });

  const deps = { db: ctx.db, now: ctx.now, logger: ctx.logger };
  const total = season.length + placed.length;
  let done = 0;
  for (const workout of season) {
    const start = zonedInstant(workout.date, workout.startHour, demoTimezone);
    const text = toTcxFile(workout, start);
    const bytes = new TextEncoder().encode(text);
    const fileName = `demo-${workout.date}-${workout.sport.toLowerCase()}.tcx`;
    const parsed = await readActivityFile(bytes, fileName);
    await importActivityFile(
      deps,
      athlete,
      {
        source: 'file_upload',
        sourceRef: createHash('sha256').update(bytes).digest('hex'),
        fileName,
        parsed,
        name: `${workout.name} (demo)`,
        // TCX has no swimming sport; the upload would say "Other", the demo says what it was.
        ...(workout.sport === 'Swim' ? { sport: 'Swim' } : {}),
      },
      { recompute: false },
    );
    onProgress(++done, total);
  }
  for (const fit of placed) {
    const bytes = await readFile(new URL(`./fit/${fit.file}`, import.meta.url));
    // A multisport recording is one leg per sport, as an upload stores it.
    const legs = await readActivityFileLegs(bytes, fit.file);
    // The recording keeps its samples and time of day; only its date moves into the season (every leg
    // by the same shift, so transitions stay between their legs).
    const original = legs[0]!.startTime ?? new Date(`${fit.date}T09:00:00Z`);
    const startHour = original.getUTCHours() + original.getUTCMinutes() / 60;
    const shiftMs =
      zonedInstant(fit.date, Math.min(startHour, 12), demoTimezone).getTime() - original.getTime();
    await importActivityFileLegs(
      deps,
      athlete,
      {
        source: 'file_upload',
        sourceRef: createHash('sha256').update(bytes).digest('hex'),
        fileName: fit.file,
        legs: legs.map((leg) => ({
          ...leg,
          startTime: new Date((leg.startTime ?? original).getTime() + shiftMs),
        })),
        name: `${fit.name} (demo)`,
      },
      { recompute: false },
    );
    onProgress(++done, total);
  }
  await settleLoad(ctx.db, athlete.id, firstDay, ctx.now());
  return {
    athleteId: athlete.id,
    activities: await countActivities(ctx.db, athlete.id),
    plans: plans.length,
    firstDay,
    lastDay,
  };
}

/**
 * Last week as it was planned (paired with what was done on import), then every week up to the race:
 * building, with the race week a taper at half the stress and the race itself on its Sunday.
 */
function planDays(lastDay: string, raceDay: string) {
  const monday = mondayOfDate(lastDay);
  const template = [
    { day: 1, sport: 'Ride', title: 'Threshold intervals', durationS: 4500, stress: 85 },
    { day: 2, sport: 'Run', title: 'Easy run', durationS: 2700, stress: 40 },
    { day: 3, sport: 'Ride', title: 'Endurance ride', durationS: 5700, stress: 70 },
    { day: 5, sport: 'Ride', title: 'Long ride with tempo', durationS: 9600, stress: 140 },
    { day: 6, sport: 'Run', title: 'Long run', durationS: 4500, stress: 75 },
  ];
  const raceMonday = mondayOfDate(raceDay);
  const plans: {
    date: string;
    sport: string;
    title: string;
    plannedDurationS: number;
    plannedStress: number;
  }[] = [];
  for (let week = addDaysTo(monday, -7); week <= raceMonday; week = addDaysTo(week, 7)) {
    const taper = week === raceMonday ? 0.5 : 1;
    for (const t of template) {
      const date = addDaysTo(week, t.day);
      if (date >= raceDay) continue;
      plans.push({
        date,
        sport: t.sport,
        title: taper < 1 ? `${t.title} (taper)` : t.title,
        plannedDurationS: Math.round(t.durationS * taper),
        plannedStress: Math.round(t.stress * taper),
      });
    }
  }
  plans.push({
    date: raceDay,
    sport: 'Workout',
    title: 'Demo Half Distance Triathlon',
    plannedDurationS: 18000,
    plannedStress: 300,
  });
  return plans;
}

/** The instant a wall-clock hour on `date` is in `zone` (the demo's hours avoid DST's missing hour). */
function zonedInstant(date: string, hour: number, zone: string): Date {
  const guess = new Date(`${date}T00:00:00Z`).getTime() + hour * 3600_000;
  const local = wallClock(new Date(guess), zone).dateTime;
  const offset = Date.parse(`${local.replace(' ', 'T')}Z`) - guess;
  return new Date(guess - offset);
}
