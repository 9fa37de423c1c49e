import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.ts';
import { toCliJson } from './cli-json.ts';
import type { RawStreams } from './streams.ts';

const seconds = (n: number) => Array.from({ length: n }, (_, i) => i);
const streams = (
  n: number,
  channels: RawStreams['channels'],
  extra: Partial<RawStreams> = {},
): RawStreams => ({
  time: seconds(n),
  channels,
  ...extra,
});

describe('analyze: worked examples of METRICS.md', () => {
  it('one hour at FTP: NP = FTP, IF = 1, TSS = 100', () => {
    const m = analyze(streams(3600, { watts: Array(3600).fill(250) }), {
      sport: 'Ride',
      thresholds: { ftp: 250 },
    });
    expect(m.power!.np).toBeCloseTo(250, 10);
    expect(m.power!.if).toBeCloseTo(1, 12);
    expect(m.power!.tss).toBeCloseTo(100, 10);
    expect(m.stress).toEqual({ value: m.power!.tss, method: 'power', if: m.power!.if });
  });

  it('30 min at 100 W then 30 min at 300 W, FTP 250', () => {
    const watts = [...Array(1800).fill(100), ...Array(1800).fill(300)];
    const json = toCliJson(analyze(streams(3600, { watts }), { sport: 'Ride', thresholds: { ftp: 250 } }));
    expect(json.power).toMatchObject({ avg: 200, np: 252.83, if: 1.0113, tss: 102.27, work_kj: 720 });
    expect(json.power!.vi!.toFixed(3)).toBe('1.264');
  });

  it('60 min at 150 bpm, man, rest 50, max 190, LTHR 170: TRIMP 108.10, hrTSS 63.34', () => {
    const m = analyze(streams(3600, { heartrate: Array(3600).fill(150) }), {
      sport: 'Ride',
      thresholds: { lthr: 170, restHr: 50, maxHr: 190, sex: 'male' },
    });
    expect(m.hr!.trimp!.toFixed(2)).toBe('108.10');
    expect(m.hr!.hrtss!.toFixed(2)).toBe('63.34');
    expect(m.stress.method).toBe('hr');
  });

  it('one hour at LTHR gives hrTSS 100 (men and women)', () => {
    for (const sex of ['male', 'female'] as const) {
      const m = analyze(streams(3600, { heartrate: Array(3600).fill(165) }), {
        sport: 'Run',
        thresholds: { lthr: 165, restHr: 50, maxHr: 190, sex },
      });
      expect(m.hr!.hrtss).toBeCloseTo(100, 10);
    }
  });

  it('one hour at threshold pace on the flat gives rTSS 100', () => {
    const speed = 1000 / 270; // 4:30 per km
    const m = analyze(
      streams(3600, { velocity_smooth: Array(3600).fill(speed), grade_smooth: Array(3600).fill(0) }),
      {
        sport: 'Run',
        thresholds: { thresholdPaceSPerKm: 270 },
      },
    );
    expect(m.pace!.ngpSpeed).toBeCloseTo(speed, 10);
    expect(m.pace!.rtss).toBeCloseTo(100, 8);
    expect(m.stress.method).toBe('pace');
  });

  it('uphill running is worth more than its speed (Minetti grade adjustment)', () => {
    const flat = analyze(
      streams(600, { velocity_smooth: Array(600).fill(3), grade_smooth: Array(600).fill(0) }),
      { sport: 'Run' },
    );
    const hill = analyze(
      streams(600, { velocity_smooth: Array(600).fill(3), grade_smooth: Array(600).fill(8) }),
      { sport: 'Run' },
    );
    expect(hill.pace!.ngpSpeed!).toBeGreaterThan(flat.pace!.ngpSpeed! * 1.3);
  });

  it('swim 1500 m in 30 min moving at threshold 1:40 per 100 m: IF 0.8333, sTSS 28.94', () => {
    const distance = seconds(1800).map((i) => (i * 1500) / 1799);
    const json = toCliJson(
      analyze(streams(1800, { distance, velocity_smooth: Array(1800).fill(1500 / 1800) }), {
        sport: 'Swim',
        thresholds: { swimThresholdPaceSPer100m: 100 },
      }),
    );
    expect(json.swim).toEqual({ speed: 0.8333, if: 0.8333, stss: 28.94 });
    expect(json.stress).toEqual({ value: 28.94, method: 'swim', if: 0.8333 });
  });

  it('power zones split by % of FTP, [a, b) ranges, missing seconds in none', () => {
    // FTP 200: Z1 < 110, Z2 110–150, Z3 150–180, Z4 180–210, Z5 210–240, Z6 240–300, Z7 ≥ 300
    const watts = [109, 110, 149, 150, 180, 210, 239, 240, 299, 300, 900, null, Number.NaN];
    const m = analyze(streams(watts.length, { watts }), { sport: 'Ride', thresholds: { ftp: 200 } });
    expect(m.zones.power).toEqual([1, 2, 1, 1, 2, 2, 2]);
  });

  it('heart-rate zones by % of LTHR', () => {
    // LTHR 100: Z1 < 81, Z2 81–90, Z3 90–94, Z4 94–100, Z5a 100–103, Z5b 103–106, Z5c ≥ 106
    const heartrate = [80, 81, 89, 90, 94, 99, 100, 103, 106, 200];
    const m = analyze(streams(heartrate.length, { heartrate }), { sport: 'Run', thresholds: { lthr: 100 } });
    expect(m.zones.hr).toEqual([1, 2, 1, 2, 1, 1, 2]);
  });

  it('missing thresholds make their numbers null, never NaN or 0, and stress falls back to an estimate', () => {
    const m = analyze(streams(1800, { watts: Array(1800).fill(200), heartrate: Array(1800).fill(140) }), {
      sport: 'Ride',
    });
    expect(m.power!.if).toBeNull();
    expect(m.power!.tss).toBeNull();
    expect(m.hr!.hrtss).toBeNull();
    expect(m.zones).toEqual({ power: null, hr: null });
    expect(m.stress).toEqual({ value: 25, method: 'estimated', if: null });
    expect(JSON.stringify(toCliJson(m))).not.toMatch(/NaN|Infinity/);
  });
});

describe('analyze: the 1 Hz series', () => {
  it('fills gaps of up to 15 s and skips longer pauses as stopped time', () => {
    const time = [0, 1, 2, 12, 13, 100, 101];
    const watts = [100, 100, 100, 200, 200, 300, 300];
    const m = analyze({ time, channels: { watts } }, { sport: 'Ride' });
    // 0..13 is 14 recorded seconds (2→12 filled), then 100 and 101: the 87 s pause adds none.
    expect([m.durationS, m.stoppedS]).toEqual([16, 86]);
    // Filled seconds are interpolated: 3..11 rise from 100 to 200 W.
    const total =
      3 * 100 + [110, 120, 130, 140, 150, 160, 170, 180, 190].reduce((a, b) => a + b, 0) + 2 * 200 + 2 * 300;
    expect(m.power!.workKj).toBeCloseTo(total / 1000, 12);
  });

  it('moving time: speed ≥ 0.5 m/s where speed exists, else the moving stream, else every second', () => {
    const bySpeed = analyze(
      streams(
        6,
        { velocity_smooth: [0, 0.4, 0.5, 3, null, 2] },
        { moving: [true, true, true, true, false, true] },
      ),
      {
        sport: 'Run',
      },
    );
    // 0.5, 3 and 2 m/s are moving; the second without speed falls back to the moving stream (false).
    expect(bySpeed.movingS).toBe(3);
    const byFlag = analyze(
      streams(4, { heartrate: [120, 120, 120, 120] }, { moving: [true, false, true, true] }),
      { sport: 'Run' },
    );
    expect(byFlag.movingS).toBe(3);
    const all = analyze(streams(4, { heartrate: [120, 120, 120, 120] }), { sport: 'Run' });
    expect(all.movingS).toBe(4);
  });
});

describe('analyze: review fixes', () => {
  it('power peaks count missing seconds as 0 W and are the best held for at least d', () => {
    // 9, –, 1, 6, 6, – W, each held 5 s (– missing = 0 W). Best 5 s: 9 W. Raw best 15 s: 1, 6, 6 → (5 + 30 +
    // 30) / 15 = 4.333 W; but the first 25 s (45 + 0 + 5 + 30 + 30 = 110 W·s) are held longer at a higher
    // mean, 4.4 W, so the best held for at least 15 s is 4.4 W (§8). Best 30 s: all, 110 / 30 W.
    const watts = [9, null, 1, 6, 6, null].flatMap((w) => Array(5).fill(w));
    const m = analyze(streams(30, { watts }), { sport: 'Ride' });
    expect(m.peaks.power['5']).toBe(9);
    expect(m.peaks.power['15']).toBeCloseTo(110 / 25, 12);
    expect(m.peaks.power['30']).toBeCloseTo(110 / 30, 12);
    // The curve never rises with duration.
    for (let i = 1; i < m.powerCurve.length; i++)
      expect(m.powerCurve[i]![1]).toBeLessThanOrEqual(m.powerCurve[i - 1]![1]);
  });

  it('best efforts: the exact shortest time, with either end inside a second, and a mile of 1609.344 m', () => {
    // Distance per second: 2 m/s for 60 s, 5 m/s for 70 s (350 m), 3 m/s for 100 s. The best 400 m is the
    // whole fast part plus 50 m at 3 m/s: 70 + 50/3 = 86.667 s (it starts on a sample and ends mid-second).
    const distance = [0];
    for (let i = 1; i <= 230; i++) distance.push(distance[i - 1]! + (i <= 60 ? 2 : i <= 130 ? 5 : 3));
    const fast = analyze(streams(231, { distance }), { sport: 'Run' });
    expect(fast.bestEfforts['400']).toBeCloseTo(70 + 50 / 3, 10);
    // 5 m/s for 500 s: 400 m in 80 s, 1 km in 200 s, the mile in 1609.344 / 5 = 321.8688 s.
    const steady = analyze(streams(501, { distance: seconds(501).map((i) => 5 * i) }), { sport: 'Run' });
    expect(steady.bestEfforts).toEqual({ '400': 80, '1000': 200, '1609': 321.8688 });
  });

  it('stopped time is elapsed − moving: recorded seconds below 0.5 m/s plus pauses', () => {
    // 0..99 and 200..299 recorded (the jump from 99 to 200 leaves out the 100 seconds 100..199), 3 m/s
    // except 0 m/s over 10..19.
    const time = [...seconds(100), ...seconds(100).map((i) => 200 + i)];
    const velocity = time.map((t) => (t >= 10 && t < 20 ? 0 : 3));
    const heartrate = time.map((t) => (t === 50 ? 171.5 : 140));
    const m = analyze({ time, channels: { velocity_smooth: velocity, heartrate } }, { sport: 'Run' });
    // 200 recorded, 190 moving, stopped 10 + 100 = 110: moving + stopped = the 300 seconds 0..299.
    expect([m.durationS, m.movingS, m.stoppedS]).toEqual([200, 190, 110]);
    // The CLI keeps a fractional maximum heart rate as it is.
    expect(toCliJson(m).hr!.max).toBe(171.5);
  });

  it('a distance stream that never grows gives no speed: an erg session is not 30 min stopped', () => {
    // 1800 s, distance 0 m throughout (as a rowing erg writes it), no speed or moving stream: moving time
    // falls back to every recorded second (§1.4), nothing is stopped, and there is no pace group.
    const m = analyze(streams(1800, { distance: Array(1800).fill(0), heartrate: Array(1800).fill(130) }), {
      sport: 'Rowing',
    });
    expect([m.durationS, m.movingS, m.stoppedS]).toEqual([1800, 1800, 0]);
    expect(m.pace).toBeNull();
  });
});

describe('analyze: estimated stress rates', () => {
  it('a generic Workout takes the default 50 per moving hour, strength training 40', () => {
    // One hour of heart rate without LTHR: no score applies, so moving hours × the sport's rate.
    const hour = streams(3600, { heartrate: Array(3600).fill(120) });
    expect(analyze(hour, { sport: 'Workout' }).stress).toEqual({ value: 50, method: 'estimated', if: null });
    expect(analyze(hour, { sport: 'WeightTraining' }).stress).toEqual({
      value: 40,
      method: 'estimated',
      if: null,
    });
  });
});

describe('analyze: the revised METRICS.md (segments, sport-aware scores, plausible ranges)', () => {
  it('NP windows never span a pause (§1.2, §2)', () => {
    // 40 s at 300 W, a 20 s gap (a pause without a device timer), 40 s at 100 W: 11 windows in each.
    const time = [...seconds(40), ...seconds(40).map((t) => 60 + t)];
    const watts = [...Array(40).fill(300), ...Array(40).fill(100)];
    const m = analyze({ time, channels: { watts } }, { sport: 'Ride', thresholds: { ftp: 250 } });
    expect(m.durationS).toBe(80);
    expect(m.power!.np).toBeCloseTo(((300 ** 4 + 100 ** 4) / 2) ** 0.25, 9);
    // No segment of 30 s: NP undefined, and so no power TSS.
    const short = analyze(
      { time: [...seconds(20), ...seconds(20).map((t) => 40 + t)], channels: { watts: Array(40).fill(200) } },
      { sport: 'Ride', thresholds: { ftp: 250 } },
    );
    expect(short.power!.np).toBeNull();
    expect(short.stress.method).toBe('estimated');
  });

  it('average power and zones use seconds with power; NP and work count drop-outs as 0 W', () => {
    const m = analyze(streams(3, { watts: [100, null, 300] }), { sport: 'Ride', thresholds: { ftp: 200 } });
    expect(m.power!.avg).toBe(200);
    expect(m.power!.workKj).toBe(0.4);
    expect(m.zones.power!.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('a ride gets no pace block and no rTSS; a run with power is scored on the run FTP only', () => {
    const ride = analyze(
      streams(3600, { velocity_smooth: Array(3600).fill(10), heartrate: Array(3600).fill(140) }),
      {
        sport: 'Ride',
        thresholds: { thresholdPaceSPerKm: 270 },
      },
    );
    expect(ride.pace).toBeNull();
    expect(ride.stress.method).toBe('estimated');
    const run = streams(3600, { watts: Array(3600).fill(300), velocity_smooth: Array(3600).fill(4) });
    const cyclingFtpOnly = analyze(run, { sport: 'Run', thresholds: { ftp: 250, thresholdPaceSPerKm: 250 } });
    expect(cyclingFtpOnly.power!.if).toBeNull();
    expect(cyclingFtpOnly.stress.method).toBe('pace');
    expect(cyclingFtpOnly.stress.if).toBe(cyclingFtpOnly.pace!.if);
    expect(cyclingFtpOnly.stress.if).toBeCloseTo(1, 12);
    const withRunFtp = analyze(run, { sport: 'Run', thresholds: { ftp: 250, runFtp: 320 } });
    expect(withRunFtp.stress.method).toBe('power');
    expect(withRunFtp.stress.if).toBe(300 / 320);
    expect(withRunFtp.thresholdsUsed.runFtp).toBe(320);
  });

  it('sTSS only for swims: a run with distance is no swim', () => {
    const distance = seconds(1800).map((i) => i * 3);
    const run = analyze(streams(1800, { distance }), {
      sport: 'Run',
      thresholds: { swimThresholdPaceSPer100m: 100 },
    });
    expect(run.swim).toBeNull();
    expect(run.stress.method).toBe('estimated');
  });

  it('implausible values are dropped with a note saying what and when (§1.1)', () => {
    const watts = Array(1800).fill(200);
    watts[724] = 65_534;
    watts[900] = 4000;
    const heartrate = Array(1800).fill(140);
    heartrate[60] = 254;
    heartrate[61] = 0; // a strap without contact: missing, but no note
    const m = analyze(streams(1800, { watts, heartrate }), { sport: 'Ride' });
    expect(m.notes).toEqual([
      'power above 3,000 W dropped at 0:12:04 (and 1 more)',
      'heart rate above 250 bpm dropped at 0:01:00',
    ]);
    expect(m.warnings).toEqual(expect.arrayContaining(m.notes));
    expect(m.power!.avg).toBe(200);
    expect(m.hr!.max).toBe(140);
    expect(toCliJson(m).notes).toEqual(m.notes);
  });
});
