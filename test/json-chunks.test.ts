/** Output bytes: the document's pieces encoded straight into chunks (json/stringify.ts utf8Chunks). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, jsonPieces, prettyJson, utf8Chunks } from '../src/json/stringify.js';
import type { Json } from '../src/json/value.js';

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
