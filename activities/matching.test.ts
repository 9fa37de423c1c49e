import { describe, expect, it } from 'vitest';
import { type MatchActivity, type MatchPlan, matchDay, matchDistance } from './matching.ts';

const plan = (id: string, over: Partial<MatchPlan> = {}): MatchPlan => ({
  id,
  date: '2026-11-28',
  sport: 'Ride',
  plannedStress: 100,
  plannedDurationS: 3600,
  activityId: null,
  matchedBy: null,
  ...over,
});
const activity = (id: string, over: Partial<MatchActivity> = {}): MatchActivity => ({
  id,
  localDate: '2026-11-28',
  sportType: 'Ride',
  stress: 100,
  durationS: 3600,
  ...over,
});

describe('matchDistance', () => {
  it('is the mean relative difference of stress and duration', () => {
    expect(matchDistance(plan('1'), activity('1'))).toBe(0);
    // stress 20 % off, duration 50 % off → 0.35
    expect(matchDistance(plan('1'), activity('1', { stress: 120, durationS: 5400 }))).toBeCloseTo(0.35, 10);
    // only duration known on the plan
    expect(matchDistance(plan('1', { plannedStress: null }), activity('1', { durationS: 1800 }))).toBeCloseTo(
      0.5,
      10,
    );
    // nothing to compare
    expect(matchDistance(plan('1', { plannedStress: null, plannedDurationS: null }), activity('1'))).toBe(1);
  });
});

describe('matchDay', () => {
  it('matches only the same day and sport family (VirtualRide fulfils a Ride, TrailRun a Run)', () => {
    const result = matchDay(
      [plan('1'), plan('2', { sport: 'Run' }), plan('3', { sport: 'Swim' })],
      [
        activity('10', { sportType: 'VirtualRide' }),
        activity('11', { sportType: 'TrailRun' }),
        activity('12', { sportType: 'Swim', localDate: '2026-11-29' }),
      ],
    );
    expect(Object.fromEntries(result)).toEqual({ '1': '10', '2': '11', '3': null });
  });

  it('pairs two rides with two plans by closeness in stress and duration, not by order', () => {
    const result = matchDay(
      [
        plan('1', { plannedStress: 200, plannedDurationS: 4 * 3600 }),
        plan('2', { plannedStress: 40, plannedDurationS: 2700 }),
      ],
      [activity('10', { stress: 45, durationS: 2400 }), activity('11', { stress: 190, durationS: 14_000 })],
    );
    expect(Object.fromEntries(result)).toEqual({ '1': '11', '2': '10' });
  });

  it('leaves an extra activity unmatched and an extra plan open', () => {
    expect(
      Object.fromEntries(
        matchDay([plan('1')], [activity('10', { stress: 30 }), activity('11', { stress: 95 })]),
      ),
    ).toEqual({
      '1': '11',
    });
    expect(
      Object.fromEntries(
        matchDay([plan('1'), plan('2', { plannedStress: 50 })], [activity('10', { stress: 55 })]),
      ),
    ).toEqual({
      '1': null,
      '2': '10',
    });
  });

  it('keeps manual matches: their plan and activity take no part', () => {
    const result = matchDay(
      [
        plan('1', { activityId: '10', matchedBy: 'manual', plannedStress: 300 }),
        plan('2', { plannedStress: 100 }),
      ],
      [activity('10', { stress: 100 }), activity('11', { stress: 20 })],
    );
    expect(result.has('1')).toBe(false);
    expect(result.get('2')).toBe('11');
  });

  it('breaks ties by the earlier plan, numerically (id 9 before id 10)', () => {
    const result = matchDay([plan('10'), plan('9')], [activity('5')]);
    expect(Object.fromEntries(result)).toEqual({ '9': '5', '10': null });
  });
});
