import { getOwn, isObject, type Json } from '../json/value.js';

/** A pairing of A's and B's steps: [index in A, index in B]; an index alone means only that side has it. */
export type Aligned = { a: number; b: number; moved?: boolean } | { a: number; b?: undefined } | { a?: undefined; b: number };

/** Keys of the items that have an identity (`base` undefined: none), each with its occurrence count for repeats. */
function keysOf(items: readonly Json[], base: (item: Json) => string | undefined): Array<string | undefined> {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const b = base(item);
    if (b === undefined) return undefined;
    const n = seen.get(b) ?? 0;
    seen.set(b, n + 1);
    return `${b}\u0000${n}`;
  });
}

/**
 * The identity of a step, when it has one: its LLM span (`extra.ancestry.function_id`) with its
 * source — a span gives a user and an agent step.
 */
function stepKey(s: Json): string | undefined {
  const ancestry = isObject(s) ? getOwn(s, 'extra') : undefined;
  const id = isObject(ancestry) ? getOwn(ancestry, 'ancestry') : undefined;
  const fid = isObject(id) ? getOwn(id, 'function_id') : undefined;
  if (typeof fid !== 'string') return undefined;
  return `${String(isObject(s) ? getOwn(s, 'source') : '')}\u0000${fid}`;
}

/**
 * The identity of a raw ATOF event (root `extra.observed_events`): its uuid with its kind and phase —
 * a scope has a start and an end under one uuid.
 */
function eventKey(e: Json): string | undefined {
  const uuid = isObject(e) ? getOwn(e, 'uuid') : undefined;
  if (typeof uuid !== 'string') return undefined;
  const field = (k: string) => JSON.stringify(getOwn(e as Record<string, Json>, k) ?? null);
  return `${field('kind')}\u0000${uuid}\u0000${field('scope_category')}`;
}

/**
 * Step alignment: steps with the same ancestry key are matched; the longest run of such matches that
 * keeps both orders becomes the anchors, and between anchors the steps without a key are matched by
 * position. A keyed match that would cross an anchor is still a match, flagged as moved.
 */
export function alignSteps(a: readonly Json[], b: readonly Json[]): Aligned[] {
  return alignByKeys(a, b, keysOf(a, stepKey), keysOf(b, stepKey));
}

/**
 * Event alignment for root `extra.observed_events`, as steps are aligned: an event inserted or left
 * out is one difference, not every later event reported as changed into its neighbour.
 */
export function alignEvents(a: readonly Json[], b: readonly Json[]): Aligned[] {
  return alignByKeys(a, b, keysOf(a, eventKey), keysOf(b, eventKey));
}

function alignByKeys(a: readonly Json[], b: readonly Json[], ka: Array<string | undefined>, kb: Array<string | undefined>): Aligned[] {
  const bByKey = new Map<string, number>();
  kb.forEach((k, j) => k !== undefined && bByKey.set(k, j));
  const keyed: Array<[number, number]> = [];
  ka.forEach((k, i) => {
    const j = k === undefined ? undefined : bByKey.get(k);
    if (j !== undefined) keyed.push([i, j]);
  });
  const anchors = longestIncreasing(keyed);
  const anchored = new Set(anchors);
  const crossing = keyed.filter((p) => !anchored.has(p));
  const matchedA = new Set(keyed.map(([i]) => i));
  const matchedB = new Set(keyed.map(([, j]) => j));
  const out: Aligned[] = [];
  let [i, j] = [0, 0];
  for (const [ai, bj] of [...anchors, [a.length, b.length] as [number, number]]) {
    // In the gap, steps without a key pair up by position; a key the other side lacks is only removed or added.
    const gapA = range(i, ai).filter((x) => ka[x] === undefined);
    const gapB = range(j, bj).filter((y) => kb[y] === undefined);
    const gap: Aligned[] = [];
    for (let k = 0; k < Math.max(gapA.length, gapB.length); k++) {
      if (k < gapA.length && k < gapB.length) gap.push({ a: gapA[k], b: gapB[k] });
      else if (k < gapA.length) gap.push({ a: gapA[k] });
      else gap.push({ b: gapB[k] });
    }
    for (const x of range(i, ai)) if (ka[x] !== undefined && !matchedA.has(x)) gap.push({ a: x });
    for (const y of range(j, bj)) if (kb[y] !== undefined && !matchedB.has(y)) gap.push({ b: y });
    // A's steps in A order, then the steps only B has, in B order.
    gap.sort((x, y) => (x.a ?? Infinity) - (y.a ?? Infinity) || (x.b ?? Infinity) - (y.b ?? Infinity));
    for (const x of gap) out.push(x);
    if (ai < a.length) out.push({ a: ai, b: bj });
    [i, j] = [ai + 1, bj + 1];
  }
  for (const [x, y] of crossing) out.push({ a: x, b: y, moved: true });
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

/**
 * Longest subsequence of pairs (already increasing in the first index) that also increases in the
 * second: the anchors, every keyed match left out being reported as moved. Of the longest, the one that
 * keeps the most steps at their own index: of three steps reversed, any one is a longest run, and when
 * an outer one was taken the middle step, which kept its index, was reported as moved to where it was.
 * Each pair's best chain is found from a Fenwick tree of the best chain ending below each second index
 * (O(n log n); the second indices are distinct, each key being matched once).
 */
function longestIncreasing(pairs: Array<[number, number]>): Array<[number, number]> {
  // A chain's rank: its length first, then how many of its pairs keep their index (each at most n).
  const rank = new Float64Array(pairs.length);
  const prev = new Int32Array(pairs.length).fill(-1);
  const better = (k: number, than: number) => than < 0 || rank[k] > rank[than];
  const size = pairs.reduce((m, [, y]) => Math.max(m, y + 1), 0);
  const best = new Int32Array(size + 1).fill(-1); // the Fenwick tree: the best chain end in each range of second indices
  let last = -1;
  pairs.forEach(([x, y], k) => {
    let before = -1;
    for (let i = y; i > 0; i -= i & -i) if (best[i] >= 0 && better(best[i], before)) before = best[i];
    rank[k] = (before < 0 ? 0 : rank[before]) + pairs.length + 1 + (x === y ? 1 : 0);
    prev[k] = before;
    for (let i = y + 1; i <= size; i += i & -i) if (better(k, best[i])) best[i] = k;
    if (better(k, last)) last = k;
  });
  const out: Array<[number, number]> = [];
  for (let k = last; k >= 0; k = prev[k]) out.push(pairs[k]);
  return out.reverse();
}
