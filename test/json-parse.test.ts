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
  // The fractions a double rounds to an integer (17+ digits in all) too: read as numbers, they would pass for integers.
  const risky = ['1.0', '-2.00', '1e3', '2E-0', '12345678901234567890', '-9007199254740993', '1.5e400', '0.99999999999999999999', '1.0000000000000000001', '-119.99999999999999999'];
  for (const lit of risky) {
    for (const text of [lit, ` ${lit}`, `[${lit}]`, `[1, ${lit}]`, `{"a":${lit}}`, `{"a": {"b": [ ${lit} ]}}`]) {
      assert.equal(canonicalJson(parseJson(text)), canonicalJson(parseJson(text.replace(lit, '0'))).replace('0', lit), text);
    }
  }
  // Other numbers are plain numbers (printed as serde prints the double); number-like text in strings stays text.
  assert.deepEqual(parseJson('{"a":1.50,"b":"x:1.0,","c":[3]}'), { a: 1.5, b: 'x:1.0,', c: [3] });
});

/** What a call threw (its message), or undefined. */
function thrown(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

test('parseJson rejects what JSON.parse rejects, with JSON.parse’s error for the text as given', () => {
  // Valid documents spliced with risky numbers and stray tokens, some cut short. The numbers parseJson
  // keeps exact are marked in a longer copy of the text; its error must still name the given text's position.
  const token = fc.constantFrom('1.0', '-2.00', '1e3', '12345678901234567890', '7', '"s"', ',', ']', '}', ':', '{', 'x');
  const text = fc.tuple(fc.json(), fc.nat(), token, fc.nat()).map(([json, at, t, cut]) => {
    const i = at % (json.length + 1);
    const spliced = json.slice(0, i) + t + json.slice(i);
    return cut % 3 === 0 ? spliced.slice(0, cut % (spliced.length + 1)) : spliced;
  });
  fc.assert(fc.property(text, (t) => assert.equal(thrown(() => parseJson(t)), thrown(() => JSON.parse(t)), t)), { numRuns: 5000 });
  // Risky numbers before the error: the position is counted in the text as given (15, not 26).
  assert.match(thrown(() => parseJson('{"a":1.0,"b":2,,}')) ?? '', /at position 15\b/);
});

test('a string of the input that looks like a marked number stays a string', () => {
  // Numbers kept exact are marked as strings with a prefix while JSON.parse reads the text; a string
  // already spelling such a prefix (the fixed one used before, here) must not come out as a number.
  for (const s of ['\u0000#n#1.0', '\u0000#n#12345678901234567890', '\u0000']) {
    const value = parseJson(`{"a":${JSON.stringify(s)},"b":1.0}`) as Record<string, unknown>;
    assert.equal(value.a, s);
    assert.ok(value.b instanceof JsonNumber);
  }
});
