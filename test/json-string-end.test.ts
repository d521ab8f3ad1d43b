import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringEnd } from '../src/json/string-end.js';

/** Reading every character, an escape taking the next one with it: how JSON.parse finds a string's end. */
function oracle(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

test('stringEnd finds the quote JSON.parse would end the string at, whatever the backslashes', () => {
  const text = fc.array(fc.constantFrom('"', '\\', 'a', 'é', '\n'), { maxLength: 24 }).map((parts) => `"${parts.join('')}`);
  fc.assert(fc.property(text, (t) => assert.equal(stringEnd(t, 0), oracle(t, 0), JSON.stringify(t))), { numRuns: 20000 });
  for (const s of ['plain', 'a "quote" in it', 'back\\slash', '\\', '\\"', 'ends with \\\\']) {
    const text = `{"k":${JSON.stringify(s)},"x":1}`;
    assert.equal(stringEnd(text, 5), 5 + JSON.stringify(s).length, s);
  }
});
