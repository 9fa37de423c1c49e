import { describe, expect, it } from 'vitest';
import settings, { display, labelOf } from './settings.ts';

describe('/settings run_ftp', () => {
  it('accepts a run FTP between 50 and 800 W', () => {
    expect(settings.options.parse({ run_ftp: 320 })).toMatchObject({ run_ftp: 320 });
    expect(settings.options.parse({ run_ftp: 800 })).toMatchObject({ run_ftp: 800 });
  });

  it('refuses a run FTP outside 50–800 W with the range', () => {
    const result = settings.options.safeParse({ run_ftp: 801 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('run_ftp must be between 50 and 800 W');
    expect(settings.options.safeParse({ run_ftp: 49 }).success).toBe(false);
  });

  it('is offered as an option next to ftp and shown in watts', () => {
    const names = (settings.data as { options?: { name: string }[] }).options?.map((o) => o.name);
    expect(names?.slice(0, 3)).toEqual(['ftp', 'run_ftp', 'lthr']);
    expect(labelOf('run_ftp')).toBe('Run FTP');
    expect(display('run_ftp', 301.6)).toBe('302 W');
  });
});
