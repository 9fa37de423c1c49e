import { Encoder, Profile } from '@garmin/fitsdk';

/** What a test FIT file holds; times are seconds after `start`. */
export interface FitSpec {
  type?: string;
  start?: Date;
  records?: { t: number; power?: number; heartRate?: number; speed?: number; distance?: number }[];
  /** Timer events: start or stop (stopAll). */
  timer?: { t: number; type: 'start' | 'stopAll' }[];
  sessions?: {
    t: number;
    sport: string;
    subSport?: string;
    timerS: number;
    elapsedS?: number;
    distanceM?: number;
    poolLengthM?: number;
  }[];
  lengths?: { t: number; durationS: number; active: boolean }[];
}

/** Encodes a small FIT file with @garmin/fitsdk's own Encoder, for decoder tests. */
export function buildFit(spec: FitSpec): Uint8Array {
  const start = spec.start ?? new Date('2024-05-01T08:00:00Z');
  const at = (t: number) => new Date(start.getTime() + t * 1000);
  const encoder = new Encoder();
  // Plain objects in the SDK's field names; its typings want one message type per number.
  const write = (mesgNum: number, mesg: Record<string, unknown>) =>
    encoder.onMesg(mesgNum as never, mesg as never);
  const MesgNum = Profile.MesgNum as Record<'FILE_ID' | 'EVENT' | 'RECORD' | 'LENGTH' | 'SESSION', number>;
  write(MesgNum.FILE_ID, {
    type: spec.type ?? 'activity',
    manufacturer: 'development',
    product: 1,
    serialNumber: 1234,
    timeCreated: start,
  });
  type Timed = { t: number; order: number; write: () => void };
  const items: Timed[] = [];
  for (const e of spec.timer ?? [])
    items.push({
      t: e.t,
      order: e.type === 'start' ? 0 : 2,
      write: () => write(MesgNum.EVENT, { timestamp: at(e.t), event: 'timer', eventType: e.type }),
    });
  for (const r of spec.records ?? [])
    items.push({
      t: r.t,
      order: 1,
      write: () =>
        write(MesgNum.RECORD, {
          timestamp: at(r.t),
          ...(r.power !== undefined ? { power: r.power } : {}),
          ...(r.heartRate !== undefined ? { heartRate: r.heartRate } : {}),
          ...(r.speed !== undefined ? { speed: r.speed } : {}),
          ...(r.distance !== undefined ? { distance: r.distance } : {}),
        }),
    });
  for (const l of spec.lengths ?? [])
    items.push({
      t: l.t + l.durationS,
      order: 3,
      write: () =>
        write(MesgNum.LENGTH, {
          timestamp: at(l.t + l.durationS),
          startTime: at(l.t),
          totalElapsedTime: l.durationS,
          totalTimerTime: l.durationS,
          lengthType: l.active ? 'active' : 'idle',
        }),
    });
  items.sort((a, b) => a.t - b.t || a.order - b.order);
  for (const item of items) item.write();
  for (const s of spec.sessions ?? [])
    write(MesgNum.SESSION, {
      timestamp: at(s.t + (s.elapsedS ?? s.timerS)),
      startTime: at(s.t),
      sport: s.sport,
      ...(s.subSport ? { subSport: s.subSport } : {}),
      totalTimerTime: s.timerS,
      totalElapsedTime: s.elapsedS ?? s.timerS,
      ...(s.distanceM !== undefined ? { totalDistance: s.distanceM } : {}),
      ...(s.poolLengthM !== undefined ? { poolLength: s.poolLengthM } : {}),
    });
  return encoder.close();
}
