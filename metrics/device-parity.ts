import { analyze } from './analyze.ts';
import type { FitLeg } from './fit.ts';

/** One number the device wrote into its own file, against ours (METRICS.md §12, "Real files"). */
export interface ParityCheck {
  metric: 'timer_s' | 'avg_power' | 'np' | 'tss' | 'avg_hr' | 'max_hr' | 'swim_speed';
  device: number;
  ours: number | null;
  /** Relative difference (ours − device) / device, or bpm for heart rate. */
  difference: number | null;
  tolerance: number;
  unit: 'relative' | 'bpm';
  within: boolean;
}

/** The tolerances: NP and average power 1 %, timer time 0.5 %, TSS 2.5 %, HR 1 bpm, swim speed 3 %. */
const parityTolerance: Record<ParityCheck['metric'], number> = {
  timer_s: 0.005,
  avg_power: 0.01,
  np: 0.01,
  tss: 0.025,
  avg_hr: 1,
  max_hr: 1,
  swim_speed: 0.03,
};

/**
 * Analyses one leg with the thresholds the device used (its FTP for TSS) and compares every value the
 * device summarised in its `session` message. Head units round HR to whole bpm, so ours is rounded too.
 */
export function compareWithDevice(leg: FitLeg): ParityCheck[] {
  const d = leg.device;
  const m = analyze(leg.streams, {
    sport: leg.sport ?? 'Workout',
    thresholds: { ftp: d.thresholdPower, runFtp: d.thresholdPower },
  });
  const checks: ParityCheck[] = [];
  // Relative for sizes (a share of the device's value), whole beats for heart rates.
  const check = (
    unit: ParityCheck['unit'],
    metric: ParityCheck['metric'],
    device: number | null,
    ours: number | null,
  ) => {
    if (device === null) return;
    const difference =
      ours === null ? null : unit === 'bpm' ? Math.round(ours) - device : (ours - device) / device;
    const tolerance = parityTolerance[metric];
    checks.push({
      metric,
      device,
      ours,
      difference,
      tolerance,
      unit,
      within: difference !== null && Math.abs(difference) <= tolerance,
    });
  };
  const relative = (metric: ParityCheck['metric'], device: number | null, ours: number | null) =>
    check('relative', metric, device, ours);
  const bpm = (metric: ParityCheck['metric'], device: number | null, ours: number | null) =>
    check('bpm', metric, device, ours);
  relative('timer_s', d.timerTimeS, m.durationS);
  relative('avg_power', d.avgPower, m.power?.avg ?? null);
  relative('np', d.normalizedPower, m.power?.np ?? null);
  if (d.thresholdPower !== null) relative('tss', d.tss, m.power?.tss ?? null);
  bpm('avg_hr', d.avgHeartRate, m.hr?.avg ?? null);
  bpm('max_hr', d.maxHeartRate, m.hr?.max ?? null);
  if (m.family === 'swim') relative('swim_speed', d.avgSpeed, m.swim?.speed ?? null);
  return checks;
}

/** Files that cannot serve as an oracle, and why (METRICS.md §12). */
export const noOracle: Record<string, string> = {
  'garmin-Activity.fit':
    'synthetic SDK sample: HR sweeps 0–254 bpm and its session carries no device summary beyond timer time',
  'garmin-WithGearChangeData.fit': 'no session message: the device wrote no summary to compare with',
  'fitparse-nick.fit': 'no session message (the file is cut short before it): no device summary',
};

/**
 * Device values we do not match, each with the reason, keyed `file#leg:metric` (leg from 1). The parity
 * test fails if one of these starts to match (the note would be stale) or a new mismatch appears.
 */
export const parityExceptions: Record<string, string> = {
  'fitparse-strava-android-app-201.10-b1218918.fit#1:timer_s':
    'file cut short: its records cover 315 s of the session’s 3,558 s (the file stops decoding part-way); the result says incomplete: true with the session’s timer time and distance, nothing is scaled up',
  'fitparse-activity-large-fenxi2-multisport.fit#4:timer_s':
    'a 4.3 s transition recorded once a second: 5 records are 5 s, and no whole number of seconds is within 0.5 % of 4.3',
};
