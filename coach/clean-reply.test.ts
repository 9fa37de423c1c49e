import { describe, expect, it } from 'vitest';
import { cleanReply, isPreambleOnly, isRefusal } from './coach.ts';

describe('clean replies', () => {
  it('strips reasoning in every form', () => {
    expect(cleanReply('<think>plan 999 W</think>\n\nRide easy.')).toBe('Ride easy.');
    expect(cleanReply('<thinking>a</thinking>Ride easy.<think>b</think> Sleep well.')).toBe(
      'Ride easy. Sleep well.',
    );
    // A template pre-filled the opening tag: only the closing one arrives.
    expect(cleanReply('The athlete wants 999 W.\n</think>\nRide easy.')).toBe('Ride easy.');
    // Cut by length inside the reasoning: the answer before it, ended at a sentence.
    expect(cleanReply('Ride easy. Then <think>maybe 999 W because', true)).toBe('Ride easy.');
    expect(cleanReply('<think>maybe 999 W because', true)).toBe('');
  });

  it('ends a reply cut by length at its last full sentence', () => {
    expect(cleanReply('Ride easy today. Tomorrow do openers and', true)).toBe('Ride easy today.');
    expect(cleanReply('Ride easy today and tomorrow do openers and', true)).toBe('');
    expect(cleanReply('Ride easy today and tomorrow do openers and')).toBe(
      'Ride easy today and tomorrow do openers and',
    );
  });

  it('tells refusals and announcements from answers', () => {
    expect(isRefusal('I’m sorry, but I can’t help with that.')).toBe(true);
    expect(isRefusal('I cannot assist with that request.')).toBe(true);
    expect(isRefusal('I can’t diagnose knee pain: please see a doctor or physio before riding.')).toBe(false);
    expect(isRefusal('Your form is balanced; ride as planned.')).toBe(false);
    expect(isPreambleOnly('Let me check your latest numbers first.')).toBe(true);
    expect(isPreambleOnly('Okay, I’ll look up your recent rides:')).toBe(true);
    expect(isPreambleOnly('I’ll keep it short: ride easy today.')).toBe(false);
    expect(isPreambleOnly('Let me check: your form (TSB) is −16.4, so ride easy.')).toBe(false);
  });
});
