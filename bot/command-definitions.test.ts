import { describe, expect, it } from 'vitest';
import { commandProblems } from '../test/fakes/discord/limits.ts';
import { slashCommands } from './commands/index.ts';

describe('registered slash command definitions', () => {
  it('are within Discord’s limits (names, descriptions, options, choices, order, 4000 characters)', () => {
    const problems = slashCommands.flatMap((command) =>
      commandProblems(command.data as unknown as Record<string, unknown>),
    );
    expect(problems).toEqual([]);
  });

  it('have unique names, at most 100, each routed to one file', () => {
    const names = slashCommands.map((command) => command.data.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(100);
  });

  it('do not offer autocomplete without a handler', () => {
    for (const command of slashCommands) {
      const json = JSON.stringify(command.data);
      if (json.includes('"autocomplete":true')) expect(command.autocomplete, command.data.name).toBeDefined();
    }
  });
});

describe('the definition check itself', () => {
  it('catches what Discord refuses', () => {
    const problems = commandProblems({
      name: 'Bad Name',
      description: 'x'.repeat(101),
      options: [
        { type: 3, name: 'later', description: 'optional first' },
        { type: 3, name: 'first', description: 'required after', required: true },
        {
          type: 3,
          name: 'many',
          description: 'too many choices',
          choices: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `v${i}` })),
        },
      ],
    });
    expect(problems).toEqual([
      'Bad Name: invalid command name',
      'Bad Name.description: 101 characters (1 to 100)',
      'Bad Name.first: a required option must come before the optional ones',
      'Bad Name.many.choices: 26 > 25',
    ]);
  });
});
