/**
 * The chain pass's absorbed lists (src/dedupe/absorbed-lists.ts) against plain lists merged one span at
 * a time: same lists, same order, same membership, whether a list is short (a set) or long (a bit set
 * over its component), and across several components of different sizes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AbsorbedLists } from '../src/dedupe/absorbed-lists.js';

const name = (i: number) => `span-${i}`;

/** The oracle: a merge walks the other list and appends what is missing. */
function naiveMerge(lists: Map<string, string[]>, span: string, from: string): void {
  const list = lists.get(span) ?? [];
  for (const uuid of lists.get(from) ?? []) if (!list.includes(uuid)) list.push(uuid);
  if (list.length > 0 || lists.has(span)) lists.set(span, list);
}

/**
 * Components of spans (each span of component k is numbered from its offset), edges between spans of
 * one component, starting lists holding linked spans, and merges along the edges.
 */
const scenario = fc
  .array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 3 })
  .chain((sizes) => {
    const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    const member = fc.integer({ min: 0, max: sizes.length - 1 }).chain((k) => fc.tuple(fc.integer({ min: 0, max: sizes[k] - 1 }), fc.integer({ min: 0, max: sizes[k] - 1 })).map(([a, b]) => [offsets[k] + a, offsets[k] + b] as const));
    return fc.record({
      total: fc.constant(total),
      // Dense enough that lists pass the bit-set length, and merges propagate far.
      edges: fc.array(member, { minLength: 1, maxLength: 500, size: 'max' }),
      merges: fc.array(fc.nat(), { maxLength: 1000, size: 'max' }),
      queries: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: total + 3 })), { maxLength: 200 }),
    });
  });

describe('AbsorbedLists', () => {
  it('merges and answers as plain lists do', () => {
    fc.assert(
      fc.property(scenario, ({ edges, merges, queries }) => {
        // Each span's starting list: the spans it is linked to, in edge order (as the direct suppressions are).
        const starting = new Map<string, string[]>();
        const linked = new Map<string, string[]>();
        for (const [a, b] of edges) {
          if (a === b) continue;
          linked.set(name(a), [...(linked.get(name(a)) ?? []), name(b)]);
          const list = starting.get(name(b)) ?? [];
          if (!list.includes(name(a))) starting.set(name(b), [...list, name(a)]);
        }
        const copy = () => new Map([...starting].map(([k, v]) => [k, [...v]]));
        const lists = new AbsorbedLists(copy(), linked);
        const naive = copy();
        const pairs = edges.filter(([a, b]) => a !== b);
        for (const m of merges) {
          if (pairs.length === 0) break;
          const [a, b] = pairs[m % pairs.length];
          // Merges go both ways along an edge: a list grows from any span of its component.
          const [span, from] = m % 2 === 0 ? [name(b), name(a)] : [name(a), name(b)];
          lists.merge(span, from);
          naiveMerge(naive, span, from);
        }
        const nonEmpty = (m: Map<string, string[]>) => new Map([...m].filter(([, v]) => v.length > 0));
        assert.deepEqual(nonEmpty(lists.lists), nonEmpty(naive));
        const spans = [...new Set(edges.flat())];
        for (const [s, q] of queries) {
          if (spans.length === 0) break;
          const span = name(spans[s % spans.length]);
          assert.equal(lists.has(span, name(q)), (naive.get(span) ?? []).includes(name(q)), `${span} has ${name(q)}`);
        }
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });

  it('a clique: every list ends with every span its span reaches, and long lists take the bit sets', () => {
    // Span i is linked to every earlier span (as in a burst where the earlier call suppresses the later).
    const k = 200;
    const linked = new Map<string, string[]>();
    const starting = new Map<string, string[]>();
    for (let s = 1; s < k; s++) {
      linked.set(name(s), Array.from({ length: s }, (_, c) => name(c)));
      for (let c = 0; c < s; c++) starting.set(name(c), [...(starting.get(name(c)) ?? []), name(s)]);
    }
    const lists = new AbsorbedLists(new Map([...starting].map(([key, v]) => [key, [...v]])), linked);
    for (let s = k - 1; s >= 1; s--) for (let c = 0; c < s; c++) lists.merge(name(c), name(s));
    for (let c = 0; c < k - 1; c++) assert.deepEqual(lists.lists.get(name(c)), starting.get(name(c)), 'nothing new: every later span was suppressed directly');
    assert.equal(lists.has(name(0), name(k - 1)), true);
    assert.equal(lists.has(name(5), name(4)), false);
    assert.equal(lists.has(name(5), 'not-a-span'), false);
  });
});
