import type { ActivityMetrics } from './analyze.ts';

const r = (value: number | null | undefined, digits: number): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

const roundRecord = (record: Record<string, number>, digits: number) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, r(v, digits)]));

/** The `analyze` CLI's JSON contract (issue 3), also what activity_metrics.metrics stores. */
export function toCliJson(m: ActivityMetrics) {
  return {
    sport: m.sport,
    duration_s: m.durationS,
    moving_s: m.movingS,
    stopped_s: m.stoppedS,
    power: m.power
      ? {
          avg: r(m.power.avg, 2),
          np: r(m.power.np, 2),
          if: r(m.power.if, 4),
          tss: r(m.power.tss, 2),
          vi: r(m.power.vi, 4),
          work_kj: r(m.power.workKj, 2),
          ef: r(m.power.ef, 4),
        }
      : null,
    pace: m.pace
      ? {
          ngp_speed: r(m.pace.ngpSpeed, 4),
          ngp_pace_s_per_km: r(m.pace.ngpPaceSPerKm, 2),
          if: r(m.pace.if, 4),
          rtss: r(m.pace.rtss, 2),
        }
      : null,
    hr: m.hr
      ? { avg: r(m.hr.avg, 2), max: r(m.hr.max, 2), trimp: r(m.hr.trimp, 2), hrtss: r(m.hr.hrtss, 2) }
      : null,
    swim: m.swim ? { speed: r(m.swim.speed, 4), if: r(m.swim.if, 4), stss: r(m.swim.stss, 2) } : null,
    stress: { value: r(m.stress.value, 2) ?? 0, method: m.stress.method, if: r(m.stress.if, 4) },
    zones: { power: m.zones.power, hr: m.zones.hr },
    peaks: {
      power: roundRecord(m.peaks.power, 2),
      hr: roundRecord(m.peaks.hr, 2),
      gap_speed: roundRecord(m.peaks.gapSpeed, 4),
    },
    best_efforts: roundRecord(m.bestEfforts, 1),
    power_curve: m.powerCurve.map(([d, w]) => [d, r(w, 2)]),
    decoupling_pct: r(m.decouplingPct, 2),
    incomplete: m.incomplete !== null,
    session: m.incomplete
      ? { timer_s: r(m.incomplete.timerS, 1), distance_m: r(m.incomplete.distanceM, 1) }
      : null,
    notes: m.notes,
  };
}
export type CliJson = ReturnType<typeof toCliJson>;
