import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '../src/json/parse.js';
import { canonicalJson } from '../src/json/stringify.js';
import { JsonNumber } from '../src/json/value.js';

/** The value with every JsonNumber read as the number it denotes. */
function plain(v: unknown): unknown {
  if (v instanceof JsonNumber) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

test('parseJson denotes the same values as JSON.parse', () => {
  fc.assert(fc.property(fc.json(), (text) => assert.deepEqual(plain(parseJson(text)), JSON.parse(text))), { numRuns: 2000 });
});

test('parseJson keeps the literal of every number a double would misrepresent, wherever it stands', () => {
  const risky = ['1.0', '-2.00', '1e3', '2E-0', '12345678901234567890', '-9007199254740993', '1.5e400'];
  for (const lit of risky) {
    for (const text of [lit, ` ${lit}`, `[${lit}]`, `[1, ${lit}]`, `{"a":${lit}}`, `{"a": {"b": [ ${lit} ]}}`]) {
      assert.equal(canonicalJson(parseJson(text)), canonicalJson(parseJson(text.replace(lit, '0'))).replace('0', lit), text);
    }
  }
  // Other numbers are plain numbers (printed as serde prints the double); number-like text in strings stays text.
  assert.deepEqual(parseJson('{"a":1.50,"b":"x:1.0,","c":[3]}'), { a: 1.5, b: 'x:1.0,', c: [3] });
});
