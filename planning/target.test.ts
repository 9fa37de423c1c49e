import { expect, it } from 'vitest';
import { formatTarget, parseTarget } from './target.ts';

it('shows a pace target in the athlete’s units', () => {
  const parsed = parseTarget('4:30-4:40/km');
  if (!parsed.ok) throw new Error(parsed.error);
  expect(formatTarget(parsed.target)).toBe('4:30–4:40 /km');
  // 270 and 280 s/km are 434.5 and 450.6 s per mile.
  expect(formatTarget(parsed.target, 'imperial')).toBe('7:15–7:31 /mi');
});
