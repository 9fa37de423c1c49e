/**
 * Splits a long answer into messages of at most `limit` characters, breaking at paragraph, then line,
 * then sentence, then word boundaries; only a single unbroken run longer than `limit` is cut hard.
 */
export function splitForDiscord(text: string, limit = 2000): string[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) return [];
  const chunks: string[] = [];
  let rest = trimmed;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    const cut =
      lastBreak(window, /\n\s*\n/g, limit) ??
      lastBreak(window, /\n/g, limit) ??
      lastBreak(window, /[.!?…](?=\s)/g, limit, 1) ??
      lastBreak(window, /\s/g, limit) ??
      limit;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks.filter((chunk) => chunk.length > 0);
}

/** The end of the last chunk that breaks at `pattern` within `limit` (keeping `keep` chars of the match). */
function lastBreak(window: string, pattern: RegExp, limit: number, keep = 0): number | null {
  let best: number | null = null;
  for (const match of window.matchAll(pattern)) {
    const end = match.index + keep;
    // Tiny first chunks read badly: only break past a fifth of the limit.
    if (end <= limit && end > limit / 5) best = end;
  }
  return best;
}
