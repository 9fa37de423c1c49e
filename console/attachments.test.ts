import { describe, expect, it } from 'vitest';
import { AttachmentStore, attachmentLifetimeMs, attachmentTokenPattern } from './attachments.ts';

const file = { name: 'ride.fit', contentType: null, data: Buffer.from('0123456789') };

describe('AttachmentStore', () => {
  it('gives the session Discord’s attachment option with a one-time link, then forgets the file', () => {
    const store = new AttachmentStore(() => 1_000);
    const id = store.put('session-a', file);
    expect(id).toMatch(attachmentTokenPattern);
    const option = store.option(id, 'session-a', 'http://127.0.0.1:3000')!;
    expect(option).toMatchObject({ name: 'ride.fit', size: 10, contentType: null });
    const token = option.url.replace('http://127.0.0.1:3000/console/attachments/', '');
    expect(token).toMatch(attachmentTokenPattern);
    expect(token).not.toBe(id);
    // The browser's id is not a download link; the link works once.
    expect(store.take(id)).toBeUndefined();
    expect(store.take(token)?.data.toString()).toBe('0123456789');
    expect(store.take(token)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('refuses another session’s file, and a file past its lifetime', () => {
    let now = 0;
    const store = new AttachmentStore(() => now);
    const id = store.put('session-a', file);
    expect(store.option(id, 'session-b', 'http://x')).toBeUndefined();
    now = attachmentLifetimeMs;
    expect(store.option(id, 'session-a', 'http://x')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('holds at most eight files, dropping the oldest', () => {
    const store = new AttachmentStore(() => 0);
    const ids = Array.from({ length: 9 }, () => store.put('s', file));
    expect(store.size).toBe(8);
    expect(store.option(ids[0]!, 's', 'http://x')).toBeUndefined();
    expect(store.option(ids[8]!, 's', 'http://x')).toBeDefined();
  });
});
