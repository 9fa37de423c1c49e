import { describe, expect, it } from 'vitest';
import {
  day,
  distance,
  duration,
  elevation,
  minSec,
  minutesAsMinSec,
  num,
  pace,
  paceFromSecondsPerKm,
  signed,
  speed,
  swimPaceFromSecondsPer100m,
} from './format.ts';

describe('numbers and signs', () => {
  it('writes one minus sign and never a negative zero', () => {
    expect(num(-0.04, 1)).toBe('0.0');
    expect(num(0, 1)).toBe('0.0');
    expect(num(-2.66, 1)).toBe('−2.7');
    expect(num(-1.8, 1)).not.toContain('-');
    expect(num(58.64, 1)).toBe('58.6');
    expect(num(Number.NaN, 1)).toBe('—');
  });

  it('signs changes, but not what rounds to zero', () => {
    expect(signed(-0.04)).toBe('0.0');
    expect(signed(0.04)).toBe('0.0');
    expect(signed(0)).toBe('0.0');
    expect(signed(-1.8)).toBe('−1.8');
    expect(signed(2.66)).toBe('+2.7');
    expect(signed(-0.4, 0)).toBe('0');
    expect(signed(-25.2, 0)).toBe('−25');
  });
});

describe('durations', () => {
  it('reads as a clock, rounded to the second first', () => {
    expect(duration(3900)).toBe('1:05:00');
    expect(duration(2700)).toBe('45:00');
    expect(duration(59.96)).toBe('1:00');
    expect(duration(59.4)).toBe('0:59');
    expect(duration(0)).toBe('0:00');
    expect(duration(3599.6)).toBe('1:00:00');
    expect(minSec(59.96)).toBe('1:00');
    expect(minutesAsMinSec(4.5)).toBe('4:30');
    expect(minutesAsMinSec(4.999)).toBe('5:00');
  });
});

describe('units', () => {
  it('writes paces in m:ss per km, or per mile for an imperial athlete', () => {
    expect(paceFromSecondsPerKm(250, 'metric')).toBe('4:10 /km');
    // 250 s/km × 1.609344 = 402.3 s per mile.
    expect(paceFromSecondsPerKm(250, 'imperial')).toBe('6:42 /mi');
    expect(pace(4, 'metric')).toBe('4:10 /km');
    expect(pace(0, 'metric')).toBe('—');
    expect(swimPaceFromSecondsPer100m(105, 'metric')).toBe('1:45 /100m');
    // 105 s per 100 m × 0.9144 = 96.0 s per 100 yd.
    expect(swimPaceFromSecondsPer100m(105, 'imperial')).toBe('1:36 /100yd');
  });

  it('writes distance, elevation and speed in the chosen units', () => {
    expect(distance(42195, 'metric')).toBe('42.20 km');
    expect(distance(42195, 'imperial')).toBe('26.22 mi');
    expect(elevation(1000, 'imperial')).toBe('3281 ft');
    expect(elevation(1000, 'metric')).toBe('1000 m');
    expect(speed(10, 'metric')).toBe('36.0 km/h');
    expect(speed(10, 'imperial')).toBe('22.4 mph');
  });

  it('writes a day with its weekday', () => {
    expect(day('2026-11-01')).toBe('Sun 1 Nov');
    expect(day('2026-11-01', { year: true })).toBe('Sun 1 Nov 2026');
    expect(day('not a date')).toBe('not a date');
  });
});
