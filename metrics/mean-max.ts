/**
 * Mean-maximal values (METRICS.md §8). The best window SUM is computed for every duration and divided
 * once, so the fast method and the brute-force reference give bit-identical values.
 *
 * Fast method: prefix sums make a window O(1); starts are grouped in blocks of 32 and groups of 16
 * blocks. From one duration to the next every window takes in one more value, at most the largest value
 * its group can reach (a sliding maximum), so a group's bound grows by that and a whole group is skipped
 * in O(1) while its bound cannot beat the best found so far. Inside a group each block's bound is its best
 * when last scanned plus the growth since (or the sum covering its windows' tails, if smaller); only blocks
 * that could win are scanned. The best so far starts from the previous duration's best window grown by one
 * value, which is nearly always the answer.
 */

const blockSize = 32;
const blocksPerGroup = 16;

/** Prefix sums of `values`, with missing (NaN) and negative values counted as 0. */
export function prefixSums(values: Float64Array): Float64Array {
  const prefix = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Not Math.max: NaN (missing) must count as 0 too.
    // biome-ignore lint/complexity/useMathMinMax: NaN handling
    prefix[i + 1] = prefix[i]! + (v > 0 ? v : 0);
  }
  return prefix;
}

/** best[d] = highest sum over any d consecutive values, for d = 1..n (best[0] = 0). */
export function bestSumsAllDurations(values: Float64Array): Float64Array {
  const n = values.length;
  const prefix = prefixSums(values);
  const best = new Float64Array(n + 1);
  if (n === 0) return best;
  const blocks = Math.ceil(n / blockSize);
  const groups = Math.ceil(blocks / blocksPerGroup);
  const groupWidth = blockSize * blocksPerGroup;
  // groupMax[j]: the largest value in j .. j + groupWidth − 1, what any window of a group takes in next.
  const groupMax = slidingMax(values, groupWidth);
  // A group's bound, and its growth since the start (each block remembers the growth when it was scanned).
  const groupUpper = new Float64Array(groups).fill(Number.POSITIVE_INFINITY);
  const groupGrowth = new Float64Array(groups);
  const blockBest = new Float64Array(blocks).fill(Number.POSITIVE_INFINITY);
  const blockGrowthAt = new Float64Array(blocks);
  const blockScannedAt = new Int32Array(blocks);

  let bestStart = 0;
  for (let d = 1; d <= n; d++) {
    const lastStart = n - d;
    let currentBest = -1;
    let currentStart = 0;
    if (d > 1) {
      // A lower bound to prune against: the previous best window grown by its better neighbour.
      const left = bestStart > 0 ? prefix[bestStart + d - 1]! - prefix[bestStart - 1]! : -1;
      const right = bestStart + d <= n ? prefix[bestStart + d]! - prefix[bestStart]! : -1;
      currentBest = Math.max(left, right);
      currentStart = left >= right ? bestStart - 1 : bestStart;
    }
    for (let g = 0; g * groupWidth <= lastStart; g++) {
      const groupFrom = g * groupWidth;
      // Every window of the group grew by one value since the last duration, at most groupMax there.
      const step = d > 1 ? groupMax[groupFrom + d - 1]! : 0;
      groupGrowth[g] = groupGrowth[g]! + step;
      const groupBound = groupUpper[g]! + step;
      if (!exceeds(groupBound, currentBest)) {
        groupUpper[g] = groupBound;
        continue;
      }
      let newGroupUpper = -1;
      const firstBlock = g * blocksPerGroup;
      const lastBlock = Math.min(firstBlock + blocksPerGroup, blocks) - 1;
      for (let b = firstBlock; b <= lastBlock; b++) {
        const from = b * blockSize;
        if (from > lastStart) break;
        const to = Math.min(from + blockSize - 1, lastStart);
        // The block's bound: its best when scanned plus the group's growth since, or the sum covering
        // every tail its windows can have added since then, whichever is smaller.
        let bound = blockBest[b]! + (groupGrowth[g]! - blockGrowthAt[b]!);
        if (blockScannedAt[b]! > 0) {
          const cover = blockBest[b]! + prefix[to + d]! - prefix[from + blockScannedAt[b]!]!;
          if (cover < bound) bound = cover;
        }
        if (!exceeds(bound, currentBest)) {
          if (bound > newGroupUpper) newGroupUpper = bound;
          continue;
        }
        let scanned = -1;
        for (let i = from; i <= to; i++) {
          const sum = prefix[i + d]! - prefix[i]!;
          if (sum > scanned) scanned = sum;
          if (sum > currentBest) {
            currentBest = sum;
            currentStart = i;
          }
        }
        blockBest[b] = scanned;
        blockGrowthAt[b] = groupGrowth[g]!;
        blockScannedAt[b] = d;
        if (scanned > newGroupUpper) newGroupUpper = scanned;
      }
      groupUpper[g] = newGroupUpper;
    }
    best[d] = currentBest;
    bestStart = currentStart;
  }
  return best;
}

/** Whether a bound could beat `best`; the margin absorbs rounding in the bound's own additions. */
function exceeds(bound: number, best: number): boolean {
  return bound * (1 + 1e-12) + 1e-9 > best;
}

/** max(values[j .. j + width − 1]) for every j (truncated at the end), missing values as 0; one pass. */
function slidingMax(values: Float64Array, width: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  // Missing (NaN) counts as 0 as in prefixSums: Math.max(NaN, 0) would be NaN, and a NaN bound
  // compares false, which silently skipped whole groups that held the best window.
  const at = (i: number) => {
    const v = values[i]!;
    // biome-ignore lint/complexity/useMathMinMax: NaN handling
    return v > 0 ? v : 0;
  };
  // Walk from the end so each j sees the window that starts at it.
  for (let j = n - 1; j >= 0; j--) {
    while (tail > head && at(deque[tail - 1]!) <= at(j)) tail--;
    deque[tail++] = j;
    while (deque[head]! > j + width - 1) head++;
    out[j] = at(deque[head]!);
  }
  return out;
}

/** The O(n²) reference: every window of every duration. */
export function bestSumsBruteForce(values: Float64Array): Float64Array {
  const n = values.length;
  const prefix = prefixSums(values);
  const best = new Float64Array(n + 1);
  for (let d = 1; d <= n; d++) {
    let max = -1;
    for (let i = 0; i + d <= n; i++) {
      const sum = prefix[i + d]! - prefix[i]!;
      if (sum > max) max = sum;
    }
    best[d] = max;
  }
  return best;
}

/** [from, to) index ranges: the whole series when no segments are given. */
type Ranges = readonly (readonly [number, number])[];
const whole = (n: number): Ranges => (n > 0 ? [[0, n]] : []);

/**
 * Mean-max at given durations over windows where every value is present (heart rate), each window inside
 * one segment. Durations no segment is long enough for are absent.
 */
export function meanMaxPresent(
  values: Float64Array,
  durations: readonly number[],
  segments: Ranges = whole(values.length),
): Map<number, number> {
  const n = values.length;
  const prefix = new Float64Array(n + 1);
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const ok = Number.isFinite(v);
    prefix[i + 1] = prefix[i]! + (ok ? v : 0);
    count[i + 1] = count[i]! + (ok ? 1 : 0);
  }
  const result = new Map<number, number>();
  for (const d of durations) {
    let max = -1;
    for (const [from, to] of segments) {
      for (let i = from; i + d <= to; i++) {
        if (count[i + d]! - count[i]! !== d) continue;
        const sum = prefix[i + d]! - prefix[i]!;
        if (sum > max) max = sum;
      }
    }
    if (max >= 0) result.set(d, max / d);
  }
  return result;
}

/** The reported peak durations (METRICS.md §8), all on the curve grid. */
export const reportedDurations = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 5400, 7200] as const;

/** The grid's longest duration: a week (multi-day ultras fit). */
const gridLimitS = 7 * 24 * 3600;

/**
 * The one duration grid every activity's power curve is stored on (METRICS.md §8), so that a period's
 * curve is, duration by duration, the maximum over its activities: every second from 1 to 60 s, then 30
 * log-spaced steps per decade (60 × 10^(k/30), rounded), plus the reported durations; up to a week.
 */
export const curveGrid: readonly number[] = (() => {
  const set = new Set<number>(reportedDurations);
  for (let d = 1; d <= 60; d++) set.add(d);
  for (let k = 1; ; k++) {
    const d = Math.round(60 * 10 ** (k / 30));
    if (d > gridLimitS) break;
    set.add(d);
  }
  return [...set].sort((a, b) => a - b);
})();

/** The grid's durations no longer than `maxS`. */
export function curveGridUpTo(maxS: number): number[] {
  const out: number[] = [];
  for (const d of curveGrid) {
    if (d > maxS) break;
    out.push(d);
  }
  return out;
}

const pruneBlock = 16;

/**
 * best[k] = the highest sum of `durations[k]` consecutive values inside one segment (missing and negative
 * values as 0), −1 where no segment is that long. Exact: prefix sums make a window O(1), and because the
 * prefix never falls, every window starting in a block of 16 starts lies inside the block's span plus the
 * duration, so a block whose span sum cannot beat the best found so far is skipped whole (first in
 * super-blocks of about d / 4 starts, then in blocks of 16). At most O(n) per duration.
 */
export function bestSumsAt(
  values: Float64Array,
  durations: readonly number[],
  segments: Ranges = whole(values.length),
  prefix: Float64Array = prefixSums(values),
): Float64Array {
  const best = new Float64Array(durations.length).fill(-1);
  const shortStart = new Int32Array(durations.length).fill(-1);
  // Short durations are not pruned: they are scanned together, tile by tile, so a long series streams
  // through memory once for all of them instead of once each.
  const short: number[] = [];
  for (let k = 0; k < durations.length; k++) if (durations[k]! < 2 * pruneBlock) short.push(k);
  if (short.length > 0) {
    const tile = 4096;
    for (const [from, to] of segments) {
      for (let t0 = from; t0 < to; t0 += tile) {
        const t1 = Math.min(t0 + tile, to);
        for (const k of short) {
          const d = durations[k]!;
          const last = Math.min(t1 - 1, to - d);
          let currentBest = best[k]!;
          let currentStart = shortStart[k]!;
          for (let i = t0; i <= last; i++) {
            const sum = prefix[i + d]! - prefix[i]!;
            if (sum > currentBest) {
              currentBest = sum;
              currentStart = i;
            }
          }
          best[k] = currentBest;
          shortStart[k] = currentStart;
        }
      }
    }
  }
  // The previous duration's best window, grown, is nearly always close to this one's: a good first bound.
  let hintStart = -1;
  for (let k = 0; k < durations.length; k++) {
    const d = durations[k]!;
    if (d < 2 * pruneBlock) {
      if (shortStart[k]! >= 0) hintStart = shortStart[k]!;
      continue;
    }
    let currentBest = -1;
    let currentStart = -1;
    if (hintStart >= 0) {
      for (const [from, to] of segments) {
        if (hintStart < from || hintStart >= to || to - from < d) continue;
        const start = Math.max(from, Math.min(hintStart, to - d));
        currentBest = prefix[start + d]! - prefix[start]!;
        currentStart = start;
      }
    }
    for (const [from, to] of segments) {
      const lastStart = to - d;
      if (lastStart < from) continue;
      // Two levels: super-blocks of about d / 4 starts (a bound over 1.25 d), then blocks of 16, so a long
      // duration touches a few cache lines per d / 4 samples instead of streaming the whole prefix again.
      const superBlock = Math.max(pruneBlock, Math.floor(d / (4 * pruneBlock)) * pruneBlock);
      for (let sb = from; sb <= lastStart; sb += superBlock) {
        const superEnd = Math.min(sb + superBlock - 1, lastStart);
        if (prefix[superEnd + d]! - prefix[sb]! <= currentBest) continue;
        for (let b = sb; b <= superEnd; b += pruneBlock) {
          const blockEnd = Math.min(b + pruneBlock - 1, superEnd);
          if (prefix[blockEnd + d]! - prefix[b]! <= currentBest) continue;
          for (let i = b; i <= blockEnd; i++) {
            const sum = prefix[i + d]! - prefix[i]!;
            if (sum > currentBest) {
              currentBest = sum;
              currentStart = i;
            }
          }
        }
      }
    }
    best[k] = currentBest;
    if (currentStart >= 0) hintStart = currentStart;
  }
  return best;
}

/** The reference for `bestSumsAt`: every window of every duration, no pruning. */
export function bestSumsAtDirect(
  values: Float64Array,
  durations: readonly number[],
  segments: Ranges = whole(values.length),
): Float64Array {
  const prefix = prefixSums(values);
  const best = new Float64Array(durations.length).fill(-1);
  for (let k = 0; k < durations.length; k++) {
    const d = durations[k]!;
    let max = -1;
    for (const [from, to] of segments) {
      for (let i = from; i + d <= to; i++) {
        const sum = prefix[i + d]! - prefix[i]!;
        if (sum > max) max = sum;
      }
    }
    best[k] = max;
  }
  return best;
}

/**
 * The curve of METRICS.md §8 at `durations` (ascending): the best mean held for at least d — for each d,
 * the highest raw mean-max at any of the durations ≥ d — so it never rises. Durations no segment is long
 * enough for are left out.
 */
export function envelopeCurve(durations: readonly number[], bestSums: Float64Array): [number, number][] {
  const curve: [number, number][] = [];
  let held = -1;
  for (let k = durations.length - 1; k >= 0; k--) {
    if (bestSums[k]! < 0) continue;
    const mean = bestSums[k]! / durations[k]!;
    if (mean > held) held = mean;
    curve.push([durations[k]!, held]);
  }
  return curve.reverse();
}

/** The power curve of a series on the shared grid, windows inside segments (§8). */
export function powerCurve(
  values: Float64Array,
  segments: Ranges = whole(values.length),
): [number, number][] {
  let longest = 0;
  for (const [from, to] of segments) longest = Math.max(longest, to - from);
  const grid = curveGridUpTo(longest);
  return envelopeCurve(grid, bestSumsAt(values, grid, segments));
}
