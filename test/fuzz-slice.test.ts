import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './support/fuzz.js';

// The CI slice of the reliability fuzzer: a fixed seed, a few hundred cases, seconds. `npm run fuzz`
// runs 100,000 (scripts/fuzz.ts).
test('fuzz slice: corrupted streams keep every invariant', async () => {
  const violations = await fuzz(20261126, 0, 300);
  assert.deepEqual(violations.slice(0, 5), []);
});
