import { sportFamily } from '../metrics/sport.ts';

/** A plan as matching sees it. `activityId` with `matchedBy: 'manual'` is the athlete's choice and stays. */
export interface MatchPlan {
  id: string;
  date: string;
  sport: string;
  plannedStress: number | null;
  plannedDurationS: number | null;
  activityId: string | null;
  matchedBy: 'auto' | 'manual' | 'none' | null;
}

export interface MatchActivity {
  id: string;
  localDate: string;
  sportType: string;
  stress: number | null;
  durationS: number | null;
}

/**
 * How far an activity is from a plan: the mean relative difference of stress and duration over the ones
 * both have (0 = exactly as planned). A plan with neither scores 1, so any plan with numbers that fit
 * better wins over it, but it still matches when it is the only one.
 */
export function matchDistance(plan: MatchPlan, activity: MatchActivity): number {
  const parts: number[] = [];
  if (plan.plannedStress !== null && activity.stress !== null) {
    parts.push(Math.abs(activity.stress - plan.plannedStress) / Math.max(plan.plannedStress, 1));
  }
  if (plan.plannedDurationS !== null && activity.durationS !== null) {
    parts.push(Math.abs(activity.durationS - plan.plannedDurationS) / Math.max(plan.plannedDurationS, 60));
  }
  return parts.length === 0 ? 1 : parts.reduce((a, b) => a + b, 0) / parts.length;
}

function sameSportFamily(a: string, b: string): boolean {
  return sportFamily(a) === sportFamily(b);
}

/**
 * Pairs a day's activities with that day's plans: only the same date and sport family; the closest pair in
 * stress and duration first, then the next closest among the rest, and so on. Manual matches are kept as
 * they are and their plan and activity take no part. Ties go to the earlier plan (lower id), then the
 * earlier activity. Returns the activity each automatically matched plan should have (null = none).
 */
export function matchDay(plans: MatchPlan[], activities: MatchActivity[]): Map<string, string | null> {
  // The athlete's choices stand: a plan they linked by hand, or said nothing fulfils ('none').
  const manualPlans = new Set(
    plans.filter((p) => p.matchedBy === 'manual' || p.matchedBy === 'none').map((p) => p.id),
  );
  const manualActivities = new Set(
    plans.filter((p) => p.matchedBy === 'manual' && p.activityId).map((p) => p.activityId!),
  );
  const openPlans = plans.filter((p) => !manualPlans.has(p.id));
  const openActivities = activities.filter((a) => !manualActivities.has(a.id));
  const pairs: { plan: MatchPlan; activity: MatchActivity; distance: number }[] = [];
  for (const plan of openPlans) {
    for (const activity of openActivities) {
      if (plan.date !== activity.localDate || !sameSportFamily(plan.sport, activity.sportType)) continue;
      pairs.push({ plan, activity, distance: matchDistance(plan, activity) });
    }
  }
  pairs.sort(
    (a, b) =>
      a.distance - b.distance || compareIds(a.plan.id, b.plan.id) || compareIds(a.activity.id, b.activity.id),
  );
  const result = new Map<string, string | null>(openPlans.map((p) => [p.id, null]));
  const usedActivities = new Set<string>();
  for (const { plan, activity } of pairs) {
    if (result.get(plan.id) !== null || usedActivities.has(activity.id)) continue;
    result.set(plan.id, activity.id);
    usedActivities.add(activity.id);
  }
  return result;
}

/** Numeric ids (bigint as text) in numeric order. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
