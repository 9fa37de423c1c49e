import { describe, expect, it } from 'vitest';
import { splitForDiscord } from './split-for-discord.ts';

describe('splitForDiscord', () => {
  it('leaves a short answer whole', () => {
    expect(splitForDiscord('  Short answer.  ')).toEqual(['Short answer.']);
    expect(splitForDiscord('')).toEqual([]);
  });

  it('splits at paragraph boundaries first', () => {
    const paragraph = 'a'.repeat(900);
    const parts = splitForDiscord([paragraph, paragraph, paragraph].join('\n\n'), 2000);
    expect(parts).toEqual([`${paragraph}\n\n${paragraph}`, paragraph]);
  });

  it('falls back to sentences, then words, then a hard cut, never exceeding the limit', () => {
    const sentences = 'This is one sentence of advice. '.repeat(100);
    const parts = splitForDiscord(sentences, 500);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      expect(part.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(sentences.trim());
    const unbroken = 'x'.repeat(4500);
    expect(splitForDiscord(unbroken, 2000).map((part) => part.length)).toEqual([2000, 2000, 500]);
  });
});
