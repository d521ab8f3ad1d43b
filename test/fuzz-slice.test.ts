import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './support/fuzz.js';

// The CI slice of the reliability fuzzer: a fixed seed, 120 cases (under a minute on 2 cores: the whole
// CI run has to stay under 10 minutes). `npm run fuzz` runs 100,000 (scripts/fuzz.ts, any seed).
test('fuzz slice: corrupted streams keep every invariant', async () => {
  const violations = await fuzz(20261126, 0, 120);
  assert.deepEqual(violations.slice(0, 5), []);
});
