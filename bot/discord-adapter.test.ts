import { describe, expect, it } from 'vitest';
import type { Reply } from '../lib/presentation/reply.ts';
import { messageProblems } from '../test/fakes/discord/limits.ts';
import { clip, linesWithin, type MessageOptions, toMessageOptions } from './discord-adapter.ts';
import { syncProgressReply } from './sync-progress.ts';

/** What discord.js puts on the wire for these options. */
function wire(options: MessageOptions) {
  return {
    json: {
      content: options.content,
      embeds: options.embeds.map((embed) => embed.toJSON()),
      components: options.components.map((row) => row.toJSON()),
    },
    files: options.files.map((file) => file.name ?? ''),
  };
}

const problemsOf = (reply: Reply) => {
  const { json, files } = wire(toMessageOptions(reply));
  return messageProblems(json as unknown as Record<string, unknown>, files);
};

const long = (n: number, word = 'intervals ') => word.repeat(Math.ceil(n / word.length)).slice(0, n);

describe('toMessageOptions keeps every message within Discord’s limits', () => {
  it('shortens over-long texts with an ellipsis and keeps the 6000-character total across embeds', () => {
    const reply: Reply = {
      content: long(5000),
      embeds: Array.from({ length: 12 }, (_, i) => ({
        title: long(400, '🚴 long ride '),
        description: long(5000),
        footer: long(3000),
        fields: Array.from({ length: 30 }, (_, j) => ({
          name: j === 0 ? '' : long(300),
          value: j === 1 ? '' : long(2000),
        })),
        ...(i === 0 ? { image: 'attachment://chart.png' } : {}),
      })),
      files: Array.from({ length: 12 }, (_, i) => ({
        name: i === 0 ? 'chart.png' : `extra-${i}.png`,
        data: Buffer.from('png'),
        description: long(2000),
      })),
      components: Array.from({ length: 7 }, (_, row) =>
        Array.from({ length: 7 }, (_, b) => ({
          kind: 'action' as const,
          label: long(120),
          customId: `settings:recompute:${row}-${b}`,
        })),
      ),
    };
    expect(problemsOf(reply)).toEqual([]);
    const { json } = wire(toMessageOptions(reply));
    expect(json.content.length).toBe(2000);
    expect(json.content.endsWith('…')).toBe(true);
    expect(json.embeds.length).toBe(10);
    expect(json.embeds[0]!.fields!.length).toBe(25);
  });

  it('a short reply is left exactly as it is', () => {
    const reply: Reply = {
      content: 'Hello',
      embeds: [
        { title: 'Form +5 — fresh', description: 'Easy day.', fields: [{ name: 'CTL', value: '52.0' }] },
      ],
    };
    const { json } = wire(toMessageOptions(reply));
    expect(json.content).toBe('Hello');
    expect(json.embeds[0]).toMatchObject({
      title: 'Form +5 — fresh',
      description: 'Easy day.',
      fields: [{ name: 'CTL', value: '52.0', inline: false }],
    });
  });

  it('a long description gives way before the numbers when the embed total is over 6000', () => {
    const reply: Reply = {
      embeds: [
        {
          title: 'Digest',
          description: long(4096),
          fields: [
            { name: 'Fitness (CTL)', value: '52.0' },
            { name: 'Yesterday', value: long(1024) },
            { name: 'Planned today', value: long(1024) },
          ],
          footer: 'Fitness is your 42-day load.',
        },
      ],
    };
    expect(problemsOf(reply)).toEqual([]);
    const embed = wire(toMessageOptions(reply)).json.embeds[0]!;
    expect(embed.fields![0]).toMatchObject({ name: 'Fitness (CTL)', value: '52.0' });
    expect(embed.footer!.text).toBe('Fitness is your 42-day load.');
    expect(embed.description!.endsWith('…')).toBe(true);
  });

  it('the /sync progress message with a very long failure reason', () => {
    const reply = syncProgressReply(
      {
        id: '1',
        athlete_id: '1',
        kind: 'backfill',
        requested: 500,
        update_existing: true,
        listed: 500,
        synced: 120,
        skipped: 3,
        failed: 377,
        state: 'failed',
        next_page: 3,
        listing_done: true,
        api_calls: 600,
        per_page: 200,
        resume_at: null,
        error: long(10_000, 'Strava said no. '),
        notify: null,
        created_at: new Date(),
        updated_at: new Date(),
        finished_at: new Date(),
      },
      'Europe/Paris',
    );
    expect(problemsOf(reply)).toEqual([]);
  });

  it('linesWithin shortens a list by whole lines and counts the rest', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const text = linesWithin(lines, 100);
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toBe(`${lines.slice(0, 3).join('\n')}\n… and 7 more`);
    expect(linesWithin(lines.slice(0, 2), 100)).toBe(lines.slice(0, 2).join('\n'));
    expect(linesWithin(['y'.repeat(200)], 50)).toBe(`${'y'.repeat(49)}…`);
  });

  it('clip never splits a surrogate pair', () => {
    expect(clip('ab🚴cd', 4)).toBe('ab…');
    expect(clip('abc', 3)).toBe('abc');
  });
});
