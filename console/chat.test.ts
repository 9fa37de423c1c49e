import { describe, expect, it } from 'vitest';
import { slashCommands } from '../bot/commands/index.ts';
import { optionsFromForm } from './chat.ts';

const command = (name: string) => slashCommands.find((c) => c.data.name === name)!;

describe('optionsFromForm', () => {
  it('types each option as Discord delivers it and leaves empty ones out', () => {
    expect(optionsFromForm(command('form'), { days: '42' })).toEqual({ days: 42 });
    expect(optionsFromForm(command('form'), { days: '' })).toEqual({});
    expect(optionsFromForm(command('coach'), { question: 'How am I?', reset: 'false' })).toEqual({
      question: 'How am I?',
      reset: false,
    });
  });

  it('flattens a subcommand like the interaction handler, dropping fields of other subcommands', () => {
    const options = optionsFromForm(command('plan'), {
      subcommand: 'week',
      date: 'next mon',
      title: 'stray',
    });
    expect(options.subcommand).toBe('week');
    expect(options).not.toHaveProperty('title');
  });

  it('passes the command’s own zod schema for every command the picker offers', () => {
    for (const c of slashCommands) {
      const parsed = c.options.safeParse(optionsFromForm(c, {}));
      // Commands without required options parse with nothing filled in, as on Discord.
      const required = (c.data.options ?? []).some(
        (o) => 'required' in o && o.required && o.type !== 1 && o.type !== 2,
      );
      if (!required && !(c.data.options ?? []).some((o) => o.type === 1 || o.type === 2))
        expect(parsed.success, c.data.name).toBe(true);
    }
  });

  it('swaps an uploaded file’s id for the attachment option, which /upload’s own schema accepts', () => {
    const file = {
      url: 'http://127.0.0.1:3000/console/attachments/x',
      name: 'a.fit',
      size: 9,
      contentType: null,
    };
    const options = optionsFromForm(command('upload'), { file: 'the-id' }, (id) =>
      id === 'the-id' ? file : undefined,
    );
    expect(options).toEqual({ file });
    expect(command('upload').options.safeParse(options).success).toBe(true);
    // An unknown or expired id is left out, and the schema says the file is missing.
    const missing = optionsFromForm(command('upload'), { file: 'other' }, () => undefined);
    expect(missing).toEqual({});
    expect(command('upload').options.safeParse(missing).success).toBe(false);
  });
});
