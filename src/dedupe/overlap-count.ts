import type { Nanos } from '../ingest/time.js';

/** A span's window as the pair rule reads it (start and end may be inverted: W_INVERTED_WINDOW). */
export interface Window {
  startTs: Nanos;
  endTs: Nanos;
}

/** A window as the ranks of its two instants among a set of windows' instants (same order, small integers). */
export interface RankedWindow {
  start: number;
  end: number;
}

/**
 * How many unordered pairs of distinct windows overlap under the pair rule's test (a.start ≤ b.end
 * and b.start ≤ a.end; a shared instant counts), without listing them. Inverted windows follow the
 * same test.
 */
export function countOverlappingPairs(windows: readonly Window[]): number {
  return countOverlapping(rankWindows(windows));
}

/**
 * The windows' instants replaced by their ranks, which keep their order: bigint comparisons are slow,
 * and a set of windows is counted several times over (see explain's per-rule counts).
 */
export function rankWindows(windows: readonly Window[]): RankedWindow[] {
  if (windows.length === 0) return [];
  let min = windows[0].startTs;
  let max = min;
  for (const w of windows) {
    for (const t of [w.startTs, w.endTs]) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  // Offsets from the earliest instant are exact as doubles while the windows span at most 2^53 ns (104 days).
  if (max - min <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const offset = (t: Nanos) => Number(t - min);
    const instants = new Float64Array(windows.length * 2);
    windows.forEach((w, i) => {
      instants[2 * i] = offset(w.startTs);
      instants[2 * i + 1] = offset(w.endTs);
    });
    const order = distinct(instants.slice().sort());
    return windows.map((w) => ({ start: lowerBound(order, offset(w.startTs)), end: lowerBound(order, offset(w.endTs)) }));
  }
  const order = distinct(windows.flatMap((w) => [w.startTs, w.endTs]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  return windows.map((w) => ({ start: lowerBound(order, w.startTs), end: lowerBound(order, w.endTs) }));
}

/**
 * {@link countOverlappingPairs} of ranked windows, in O(n log n): counted as ordered pairs (a, b), a = b
 * included. Taking the windows `a` by end, every `b` that starts by a's end is entered (at its end) into
 * a Fenwick tree, and those that end before a starts are subtracted. The test is symmetric, so each
 * unordered pair counts twice; a window meets itself when it is not inverted.
 */
export function countOverlapping(windows: readonly RankedWindow[]): number {
  const n = windows.length;
  if (n < 2) return 0;
  let ranks = 0;
  for (const w of windows) ranks = Math.max(ranks, w.start + 1, w.end + 1);
  // Both orders as one sorted number each: (end, start) and (start, end).
  const byEnd = new Float64Array(n);
  const byStart = new Float64Array(n);
  windows.forEach((w, i) => {
    byEnd[i] = w.end * ranks + w.start;
    byStart[i] = w.start * ranks + w.end;
  });
  byEnd.sort();
  byStart.sort();
  const tree = new Int32Array(ranks + 1);
  let entered = 0;
  let next = 0;
  let ordered = 0;
  let selves = 0;
  for (let k = 0; k < n; k++) {
    const aEnd = Math.floor(byEnd[k] / ranks);
    const aStart = byEnd[k] - aEnd * ranks;
    for (; next < n && Math.floor(byStart[next] / ranks) <= aEnd; next++) {
      const bEnd = byStart[next] % ranks;
      for (let i = bEnd + 1; i <= ranks; i += i & -i) tree[i]++;
      entered++;
    }
    let endingBefore = 0;
    for (let i = aStart; i > 0; i -= i & -i) endingBefore += tree[i];
    ordered += entered - endingBefore;
    if (aStart <= aEnd) selves++;
  }
  return (ordered - selves) / 2;
}

function distinct<T extends number | bigint>(sorted: ArrayLike<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  return out;
}

/** The first index whose value is not below `x`. */
function lowerBound<T extends number | bigint>(sorted: readonly T[], x: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
