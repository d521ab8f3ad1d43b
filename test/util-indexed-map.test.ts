/**
 * IndexedMap: a Map whose keys are also filed under a group computed from their entry. Checked against
 * a plain Map, whose group members are found by going through all of it: the same entries in the same
 * order after any sequence of sets (new keys, keys set again in another group or in none), deletes and
 * clears, and the same members of every group, in the map's order.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { IndexedMap } from '../src/util/indexed-map.js';

type Value = { group: string | null; n: number };
const groupOf = (_: string, v: Value) => v.group ?? undefined;

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const group = fc.constantFrom('g1', 'g2', 'g3', null);
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ set: key, group, n: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 3, arbitrary: fc.record({ del: key }) },
  { weight: 1, arbitrary: fc.constant({ clear: true as const }) },
);

it('IndexedMap keeps a Map’s entries and order, and gives each group’s keys in that order', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const indexed = new IndexedMap<Value>(groupOf);
      const plain = new Map<string, Value>();
      for (const o of ops) {
        if ('set' in o) {
          const value = { group: o.group, n: o.n };
          assert.equal(indexed.set(o.set, value), indexed);
          plain.set(o.set, value);
        } else if ('del' in o) {
          assert.equal(indexed.delete(o.del), plain.delete(o.del));
        } else {
          indexed.clear();
          plain.clear();
        }
        assert.deepEqual([...indexed], [...plain]);
        assert.equal(indexed.size, plain.size);
        for (const g of ['g1', 'g2', 'g3', 'none']) {
          const members = [...plain].filter(([, v]) => v.group === g).map(([k]) => k);
          assert.deepEqual(indexed.keysIn(g), members, `group ${g}`);
        }
      }
    }),
    { numRuns: 2000, seed: 20261127 },
  );
});

it('IndexedMap.keysIn is a copy: deleting while going through it visits every member', () => {
  const map = new IndexedMap<Value>(groupOf);
  for (const k of ['a', 'b', 'c']) map.set(k, { group: 'g', n: 0 });
  for (const k of map.keysIn('g')) map.delete(k);
  assert.equal(map.size, 0);
  assert.deepEqual(map.keysIn('g'), []);
});
