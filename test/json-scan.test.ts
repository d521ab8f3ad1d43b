import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { scanJsonText, scanJsonTextFully } from '../src/atif/validate/json-scan.js';

/**
 * scanJsonText answers most documents with a quick pass and leaves the rest to the full scan: on any
 * text, JSON or not, the answer must be the full scan's.
 */
const sameAsFullScan = (text: string) => assert.deepEqual(scanJsonText(text), scanJsonTextFully(text), JSON.stringify(text));

/** Pieces that JSON text is made of, the ones the two passes treat differently included. */
const token = fc.constantFrom(
  '{', '}', '[', ']', ',', ':', ' ', '\n', '\t',
  '"a"', '"b"', '"a\\u0062"', '"ab"', '"\\\\"', '"\\""', '"x\\\\\\"y"', '"\\', '"',
  '0', '-0', '1', '12', '01', '1.5', '1.', '.5', '-', '1e5', '1E+2', '1e', '2.5e-3', '+1', '1x',
  'true', 'false', 'null', 'nul', 'truex', 'NaN', 'Infinity', '-Infinity', 'Infinityx',
);

test('scanJsonText: the same verdict as the full scan on token soup', () => {
  fc.assert(fc.property(fc.array(token, { maxLength: 30 }), (parts) => sameAsFullScan(parts.join(''))), { numRuns: 20000 });
});

/** JSON documents with objects that may repeat a key (as written or only once decoded) and Python's non-finite tokens. */
const document = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('0', '-1.25', '3e2', 'true', 'false', 'null', '"s"', '"q\\"uote"', '""', 'NaN', '-Infinity'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(fc.constantFrom('"a"', '"b"', '"c"', '"\\u0061"', '"k\\\\"', '""'), tie('value')), { maxLength: 5 })
      .map((members) => `{${members.map(([k, v]) => `${k}: ${v}`).join(',\n ')}}`),
    // More keys than the quick pass keeps in a list: a repeat found in its set.
    fc.tuple(fc.integer({ min: 10, max: 20 }), fc.integer({ min: 0, max: 25 })).map(([n, again]) => {
      const keys = Array.from({ length: n }, (_, i) => `"k${i}": ${i}`);
      return `{${[...keys, `"k${again}": true`].join(',')}}`;
    }),
  ),
})).value;

test('scanJsonText: the same entries and token ranges as the full scan on generated documents, whole and cut', () => {
  fc.assert(
    fc.property(document, fc.nat(), (text, cut) => {
      sameAsFullScan(text);
      sameAsFullScan(` ${text}\n`);
      sameAsFullScan(text.slice(0, cut % (text.length + 1)));
    }),
    { numRuns: 5000 },
  );
});

test('scanJsonText: a document without repeats or tokens, and each kind of finding', () => {
  assert.deepEqual(scanJsonText('{"a": [1, {"b": "x\\"}"}], "c": null}'), { entries: [], tokenRanges: [] });
  assert.deepEqual(scanJsonText('{"a": 1, "a": 2}')?.entries, [{ kind: 'duplicate-key', path: ['a'] }]);
  assert.deepEqual(scanJsonText('{"a": 1, "\\u0061": 2}')?.entries, [{ kind: 'duplicate-key', path: ['a'] }]);
  assert.deepEqual(scanJsonText('[1, NaN]'), { entries: [{ kind: 'non-finite', path: [1], token: 'NaN' }], tokenRanges: [[4, 7]] });
  assert.equal(scanJsonText('{"a": 1,}'), undefined);
  assert.equal(scanJsonText('"unterminated'), undefined);
});
