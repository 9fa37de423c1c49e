/** Strava sport types are open strings; the engine reasons about families. */
export type SportFamily = 'ride' | 'run' | 'walk' | 'swim' | 'row' | 'ski' | 'strength' | 'other';

const families: [RegExp, SportFamily][] = [
  [/swim/i, 'swim'],
  [/(ride|cycl|bike|velomobile|handcycle|wheelchair)/i, 'ride'],
  [/(run|jog)/i, 'run'],
  [/(walk|hike|snowshoe)/i, 'walk'],
  [/(row|canoe|kayak|paddle|sup)/i, 'row'],
  [/(ski|snowboard)/i, 'ski'],
  // Not "Workout": it is Strava's generic type (and the product's fallback for an unknown sport), so it
  // takes the default rate of §6, not the strength one.
  [/(weight|strength|crossfit|hiit|highintensity|yoga|pilates)/i, 'strength'],
];

export function sportFamily(sport: string): SportFamily {
  for (const [pattern, family] of families) if (pattern.test(sport)) return family;
  return 'other';
}

/**
 * Stress per moving hour when no stream can score an activity (METRICS.md §6: default 50, strength 40).
 * A rough, clearly labelled estimate — never a silent zero.
 */
export const estimatedStressPerHour: Record<SportFamily, number> = {
  ride: 50,
  run: 50,
  walk: 50,
  swim: 50,
  row: 50,
  ski: 50,
  strength: 40,
  other: 50,
};
