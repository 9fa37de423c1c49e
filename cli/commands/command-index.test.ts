import { describe, expect, it } from 'vitest';
import { commands } from './index.ts';

describe('cli command index', () => {
  it('lists each command once, with the name and summary its module declares', async () => {
    expect(new Set(commands.map((entry) => entry.name)).size).toBe(commands.length);
    for (const entry of commands) {
      const command = (await entry.load()).default;
      expect({ name: command.name, summary: command.summary }).toEqual({
        name: entry.name,
        summary: entry.summary,
      });
    }
  });
});
