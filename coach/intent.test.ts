import { describe, expect, it } from 'vitest';
import { durationIn, rangesIn, recogniseQuestion } from './intent.ts';

const today = '2026-11-01'; // a Sunday

describe('recogniseQuestion', () => {
  const intentOf = (q: string, names: string[] = []) => recogniseQuestion(q, today, names).intent;

  it('tells the common intents apart', () => {
    expect(intentOf('What is my FTP?')).toBe('thresholds');
    expect(intentOf('What are my heart rate zones?')).toBe('thresholds');
    expect(intentOf('How tired am I?')).toBe('form');
    expect(intentOf('What was my peak fitness this year?')).toBe('form');
    expect(intentOf('What was my peak 5 min power?')).toBe('bests');
    expect(intentOf("What's my next planned workout?")).toBe('plan');
    expect(intentOf('Will I be fresh on race day?')).toBe('forecast');
    expect(intentOf('How much did I train last week?')).toBe('period');
    expect(intentOf('What was my last run?')).toBe('activity');
    expect(intentOf('How did Hill repeats go?', ['Hill repeats', 'Easy run'])).toBe('activity');
    expect(intentOf('Should I rest today?')).toBe('form');
    expect(intentOf('When is my race?')).toBe('forecast');
    expect(intentOf('How did my race go?')).toBe('activity');
    expect(intentOf('What did I do yesterday?')).toBe('period');
    expect(intentOf('Write me a poem')).toBe('help');
  });

  it('reads the sport and the duration of a best', () => {
    const r = recogniseQuestion('best 20-minute power on my rides in October', today);
    expect(r.sport).toBe('Ride');
    expect(r.durationS).toBe(1200);
    expect(durationIn('1 hour')).toBe(3600);
    expect(durationIn('30 s sprint')).toBe(30);
  });
});

describe('rangesIn', () => {
  it('reads weeks, months and explicit dates against today', () => {
    expect(rangesIn('this week', today)[0]).toMatchObject({ from: '2026-10-26', to: '2026-11-01' });
    expect(rangesIn('last week', today)[0]).toMatchObject({ from: '2026-10-19', to: '2026-10-25' });
    expect(rangesIn('the week starting 2026-10-05', today)[0]).toMatchObject({
      from: '2026-10-05',
      to: '2026-10-11',
    });
    expect(rangesIn('from 2026-08-01 to 2026-10-31', today)[0]).toMatchObject({
      from: '2026-08-01',
      to: '2026-10-31',
    });
    // A month without a year is the latest one that has begun; December is last year's.
    expect(rangesIn('in December', today)[0]).toMatchObject({ from: '2025-12-01', to: '2025-12-31' });
    expect(rangesIn('Compare September and October 2026', today).map((r) => r.from)).toEqual([
      '2026-09-01',
      '2026-10-01',
    ]);
    expect(rangesIn('the last 90 days', today)[0]).toMatchObject({ from: '2026-08-04', to: today });
    expect(rangesIn('What did I do yesterday?', today)[0]).toMatchObject({
      from: '2026-10-31',
      to: '2026-10-31',
    });
    expect(rangesIn('How may I improve?', today)).toEqual([]);
  });
});
