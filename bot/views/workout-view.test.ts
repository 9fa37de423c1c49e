import { describe, expect, it } from 'vitest';
import { intensityText, newBests, newBestText, workoutRuleLine } from './workout-view.ts';

describe('new bests in the message after a workout', () => {
  const bests = [
    { channel: 'power' as const, duration: '300', recent: 300, allTime: 340 },
    { channel: 'power' as const, duration: '1200', recent: 250, allTime: 260 },
    { channel: 'power' as const, duration: '60', recent: null, allTime: 500 },
    { channel: 'gap_speed' as const, duration: '1200', recent: 3.9, allTime: 4.1 },
  ];

  it('reports peaks above the 90-day best, and above the all-time best as all-time', () => {
    const found = newBests(
      { power: { '300': 320, '1200': 270, '60': 450, '5': 900 }, gap_speed: { '1200': 4 } },
      bests,
    );
    expect(found).toEqual([
      { channel: 'power', duration: 60, value: 450, previous: null, scope: '90-day' },
      { channel: 'power', duration: 300, value: 320, previous: 300, scope: '90-day' },
      { channel: 'power', duration: 1200, value: 270, previous: 260, scope: 'all-time' },
      { channel: 'gap_speed', duration: 1200, value: 4, previous: 3.9, scope: '90-day' },
    ]);
    // 5 s has no earlier value at all: a first peak beats nothing, so it is not a "best".
    expect(found.some((b) => b.duration === 5)).toBe(false);
    expect(newBests({ power: { '300': 300 } }, bests)).toEqual([]); // equal is not above
  });

  it('words them with units', () => {
    expect(
      newBestText(
        { channel: 'power', duration: 1200, value: 270.4, previous: 260, scope: 'all-time' },
        'metric',
      ),
    ).toBe('🏆 All-time best 20 min power: 270 W (was 260 W)');
    expect(
      newBestText(
        { channel: 'gap_speed', duration: 300, value: 4, previous: null, scope: '90-day' },
        'metric',
      ),
    ).toBe('⭐ 90-day best 5 min grade-adjusted pace: 4:10 /km');
  });
});

describe('intensity and the coach’s rule line', () => {
  it('shows NP/IF for power, NGP/IF for pace, HR for heart rate', () => {
    expect(
      intensityText(
        {
          sport_type: 'Ride',
          stress_method: 'power',
          np_w: 245.4,
          intensity: 0.918,
          avg_hr: 150.2,
          metrics: {},
        },
        'metric',
      ),
    ).toBe('NP 245 W · IF 0.92 · HR 150 bpm');
    expect(
      intensityText(
        {
          sport_type: 'Run',
          stress_method: 'pace',
          np_w: null,
          intensity: 0.85,
          avg_hr: null,
          metrics: { pace: { ngp_speed: 4 } },
        },
        'metric',
      ),
    ).toBe('NGP 4:10 /km · IF 0.85');
    expect(
      intensityText(
        { sport_type: 'Ride', stress_method: 'hr', np_w: null, intensity: null, avg_hr: 141, metrics: {} },
        'metric',
      ),
    ).toBe('HR 141 bpm');
    expect(
      intensityText(
        {
          sport_type: 'Run',
          stress_method: 'estimated',
          np_w: null,
          intensity: null,
          avg_hr: null,
          metrics: null,
        },
        'metric',
      ),
    ).toBeNull();
  });

  it('says what the session was and what the form after it asks for', () => {
    expect(workoutRuleLine(1.02, 'high_risk')).toBe(
      'A hard session, near or above threshold. Fatigue is well above fitness now: make tomorrow easy or a rest day.',
    );
    expect(workoutRuleLine(0.65, 'fresh')).toBe(
      'An easy aerobic session: good base work. You are still fresh: room for a key session soon.',
    );
    expect(workoutRuleLine(null, 'neutral')).toBe('Logged. Form is balanced: train as planned tomorrow.');
    expect(workoutRuleLine(null, 'neutral', 'estimated')).toMatch(/^Scored by estimate: set your thresholds/);
  });

  it('never shows a ride’s speed as a running pace', () => {
    expect(
      intensityText(
        {
          sport_type: 'Ride',
          stress_method: 'hr',
          np_w: null,
          intensity: null,
          avg_hr: 150,
          metrics: { pace: { ngp_speed: 11 } },
        },
        'metric',
      ),
    ).toBe('HR 150 bpm');
  });
});
