import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { MinHeap } from '../src/util/min-heap.js';

it('MinHeap gives back what it holds least first, whatever the order of pushes and pops', () => {
  const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true as const }));
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
      const heap = new MinHeap<number>((a, b) => a - b);
      const held: number[] = [];
      for (const o of ops) {
        if ('push' in o) {
          heap.push(o.push);
          held.push(o.push);
        } else {
          held.sort((a, b) => a - b);
          assert.equal(heap.pop(), held.shift());
        }
        assert.equal(heap.size, held.length);
        assert.equal(heap.peek(), held.length === 0 ? undefined : Math.min(...held));
      }
    }),
    { numRuns: 300, seed: 20261127 },
  );
});
