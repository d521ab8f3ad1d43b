/** Output bytes: the document's pieces encoded straight into chunks (json/stringify.ts utf8Chunks). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, jsonPieces, prettyJson, prettyPiecesWithItems, utf8Chunks } from '../src/json/stringify.js';
import { JsonNumber, RawJson, type Json } from '../src/json/value.js';

const MB = 1 << 20;

test('the chunks are the UTF-8 of the joined pieces, across chunk boundaries, multi-byte and astral characters included', () => {
  const pieces = Array.from({ length: 5000 }, (_, i) => `{"n":${i},"t":"héllo wörld ✓ 😀 ${'x'.repeat(i % 500)}"},`);
  const chunks = [...utf8Chunks(pieces)];
  assert.ok(chunks.length > 1, 'several chunks');
  assert.ok(chunks.every((c) => c.byteLength <= MB));
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(pieces.join(''), 'utf8'));
  // Pieces are never split, so every chunk is valid UTF-8 by itself.
  for (const c of chunks) assert.equal(Buffer.from(Buffer.from(c).toString('utf8'), 'utf8').byteLength, c.byteLength);
});

test('a piece larger than a chunk goes out on its own; every chunk owns its memory (it may be transferred)', () => {
  const big = '€'.repeat(MB); // 3 MB of UTF-8
  const chunks = [...utf8Chunks(['a', big, 'b'])];
  assert.deepEqual(chunks.map((c) => c.byteLength), [1, 3 * MB, 1]);
  assert.equal(Buffer.concat(chunks).toString('utf8'), 'a' + big + 'b');
  const owners = new Set(chunks.map((c) => c.buffer));
  assert.equal(owners.size, chunks.length, 'no two chunks share an ArrayBuffer (no pool slab)');
  assert.ok(chunks.every((c) => c.byteOffset === 0));
  assert.deepEqual([...utf8Chunks([])], []);
  assert.ok([...utf8Chunks(['{"a":1}'])][0].buffer.byteLength <= 16 * 1024, 'a short document takes a short chunk');
});

test('the pieces of a document are its canonical or pretty text', () => {
  const doc = { steps: Array.from({ length: 100 }, (_, i) => ({ step_id: i + 1, message: `m${i}`, extra: { z: 1, a: [1, 2] } })), b: 'x', a: null } as unknown as Json;
  assert.equal([...jsonPieces(doc)].join(''), canonicalJson(doc));
  assert.equal([...jsonPieces(doc, 2)].join(''), prettyJson(doc));
});

test('pretty pieces indent what sits deep in a walked document as prettyJson does: exact numbers, verbatim JSON, integer-like keys, empty containers', () => {
  // Items of walked arrays are printed natively at their depth, with what is spliced into them.
  const odd = (i: number, raw: string): Json =>
    ({
      n: new JsonNumber('12345678901234567890'),
      f: new JsonNumber('1.0'),
      raw: new RawJson(raw),
      idx: { '10': 'a', '2': ['b', {}], x: [] },
      deep: { list: Array.from({ length: 70 + i }, (_, j) => (j % 2 ? { j, raw: new RawJson(raw) } : [j, { e: {} }])) },
      empty: {},
      none: [],
      s: 'line\nbreak',
    }) as unknown as Json;
  const docOf = (raw: string): Json => ({ steps: Array.from({ length: 80 }, (_, i) => odd(i, raw)), extra: { observed_events: Array.from({ length: 70 }, (_, i) => odd(i, raw)) }, one: odd(0, raw) }) as unknown as Json;
  const doc = docOf('{"kept":[1,{"z":null}]}');
  const text = [...jsonPieces(doc, 2)].join('');
  assert.equal(text, prettyJson(doc));
  assert.ok(text.includes('\n          "raw": {"kept":[1,{"z":null}]}'), 'verbatim JSON as it is, six levels in');
});

test('prettyPiecesWithItems prints what jsonPieces prints of the whole object, taking the array items one at a time', () => {
  // Items deep and shallow, short and long (past 64 items the printer walks an array in pieces).
  const item = (i: number): Json => ({ b: i, a: [1, 2, { z: 'x\ny ✓', y: Array.from({ length: i % 70 }, (_, j) => j) }], c: { d: Array.from({ length: 100 }, (_, j) => ({ j })) } });
  const heads: Array<Record<string, Json | undefined>> = [{ profile: 'default', changed: true }, { zz: 1, a: undefined, b: [1, 2] }, {}];
  for (const n of [0, 1, 3, 64, 65, 130]) {
    for (const head of heads) {
      for (const key of ['trajectories', 'a0', 'zzz']) {
        const items = Array.from({ length: n }, (_, i) => item(i));
        let taken = 0;
        const lazily = (function* () {
          for (const x of items) {
            taken++;
            yield x;
          }
        })();
        const pieces = prettyPiecesWithItems(head as Record<string, Json>, key, lazily, (x) => x);
        const first = pieces.next();
        assert.ok(taken <= 1, 'no item is taken before the output reaches it');
        const text = (first.done ? '' : first.value) + [...pieces].join('');
        assert.equal(text, [...jsonPieces({ ...head, [key]: items } as Record<string, Json>, 2)].join(''), `${n} items under ${key} beside ${JSON.stringify(head)}`);
      }
    }
  }
});
