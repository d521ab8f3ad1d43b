import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SpilledText, TextSpill } from '../src/ingest/spill.js';
import { HeldTexts } from '../src/cli/held-texts.js';

const read = (held: Buffer | SpilledText) => (held instanceof SpilledText ? held.toString() : held.toString('utf8'));

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'relay-spill-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('text past the memory budget goes to the file and reads back exactly, in any order, leaving no file behind', () => {
  withDir((dir) => {
    const spill = new TextSpill(16, dir);
    // Short and long texts (one longer than the write buffer), multi-byte characters across boundaries.
    const texts = ['{"a":1}', 'é'.repeat(9), '{"hook":"PreToolUse"}', 'x'.repeat(1_500_000), '😀'.repeat(300_000), '{"end":true}', 'ü'.repeat(400_000)];
    const held = texts.map((t) => spill.hold(Buffer.from(t, 'utf8')));
    assert.ok(held[0] instanceof Buffer, 'the first text fits the budget');
    assert.ok(held.slice(2).every((h) => h instanceof SpilledText));
    assert.ok(spill.spilledBytes > 3_000_000);
    assert.deepEqual(readdirSync(dir), [], 'the file is unlinked as soon as it is open');
    for (const i of [6, 0, 3, 2, 5, 1, 4, 2, 6]) assert.equal(read(held[i]), texts[i], `text ${i}`);
    spill.close();
    assert.throws(() => read(held[3]));
  });
});

test('text still gathered for its write (not yet in the file) reads back from memory', () => {
  withDir((dir) => {
    const spill = new TextSpill(0, dir);
    const held = ['{"first":1}', '{"second":2}'].map((t) => spill.hold(Buffer.from(t)));
    assert.ok(held.every((h) => h instanceof SpilledText));
    assert.deepEqual(held.map(read), ['{"first":1}', '{"second":2}']);
    spill.close();
  });
});

test('without a usable directory, text stays in memory and reads back the same', () => {
  const spill = new TextSpill(0, join(tmpdir(), 'relay-atif-no-such-directory', 'deeper'));
  const held = ['{"a":1}', 'b'.repeat(2_000_000)].map((t) => spill.hold(Buffer.from(t)));
  assert.ok(held.every((h) => h instanceof Buffer));
  assert.equal(spill.spilledBytes, 0);
  assert.deepEqual(held.map(read), ['{"a":1}', 'b'.repeat(2_000_000)]);
});

test('HeldTexts: report parts come back in the order they were added, past the memory budget through the file, once', () => {
  withDir((dir) => {
    const spill = new TextSpill(100, dir);
    const held = new HeldTexts(spill);
    // Text UTF-8 cannot carry unchanged (a lone surrogate) is held as it is.
    const parts = ['trajectory a\n', '{"x":"é✓😀"}', 'y'.repeat(5_000), 'lone \ud800 surrogate', '', 'last\n'];
    for (const p of parts) held.add(p);
    assert.equal(held.count, parts.length);
    assert.equal(spill.spilledBytes, 5_000, 'the part past the budget went to the file');
    assert.deepEqual([...held.texts()], parts);
    assert.deepEqual([...held.texts()], [], 'each text is let go of once read');
    held.close();
    assert.deepEqual(readdirSync(dir), [], 'no file is left behind');
  });
});
