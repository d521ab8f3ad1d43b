import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeyUnionFind } from '../src/util/union-find.js';

/** The oracle: components by searching the graph from each key. */
function componentsBySearch(keys: string[], edges: Array<[string, string]>): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of keys) {
    if (seen.has(start)) continue;
    const members = new Set([start]);
    for (const k of members) {
      for (const [a, b] of edges) {
        if (a === k) members.add(b);
        if (b === k) members.add(a);
      }
    }
    for (const m of members) seen.add(m);
    out.push([...members].sort());
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('KeyUnionFind', () => {
  it('joins linked keys into one set, keeps lone keys apart, and lists keys in the order first met', () => {
    const sets = new KeyUnionFind();
    sets.add('lone');
    sets.union('a', 'b');
    sets.union('c', 'b');
    assert.equal(sets.setOf('a'), sets.setOf('c'));
    assert.notEqual(sets.setOf('lone'), sets.setOf('a'));
    assert.deepEqual([...sets.entries()].map(([k]) => k), ['lone', 'a', 'b', 'c']);
  });

  it('property: its sets are the components found by searching the graph', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    fc.assert(
      fc.property(fc.array(key, { maxLength: 5 }), fc.array(fc.tuple(key, key), { maxLength: 12 }), (lone, edges) => {
        const sets = new KeyUnionFind();
        for (const k of lone) sets.add(k);
        for (const [a, b] of edges) sets.union(a, b);
        const keys = [...sets.entries()].map(([k]) => k);
        const grouped = new Map<number, string[]>();
        for (const [k, set] of sets.entries()) grouped.set(set, [...(grouped.get(set) ?? []), k]);
        const found = [...grouped.values()].map((m) => m.sort()).sort((a, b) => a[0].localeCompare(b[0]));
        assert.deepEqual(found, componentsBySearch(keys, edges));
      }),
      { numRuns: 300, seed: 20261128 },
    );
  });
});
