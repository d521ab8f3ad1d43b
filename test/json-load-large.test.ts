/**
 * Documents too large for one string (atif/validate/json-load-large.ts) load as the ordinary loader
 * loads their text: checked here with small thresholds, so that every container of a few bytes is
 * walked and only the smallest values are read as text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTrajectoryJson } from '../src/atif/validate/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'relay-atif.js');

/** Every document is "large"; values of more than `pieceBytes` are walked. */
const walked = (pieceBytes: number) => ({ fromBytes: 0, pieceBytes });

function same(text: string, label: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const ordinary = loadTrajectoryJson(bytes);
  for (const pieceBytes of [0, 1, 8, 40, 1000]) {
    const large = loadTrajectoryJson(bytes, walked(pieceBytes));
    assert.equal(large.ok, ordinary.ok, `${label} (pieces of ${pieceBytes}): ${JSON.stringify(large.findings)}`);
    if (!ordinary.ok) continue;
    assert.deepEqual(large.findings, ordinary.findings, `${label} (pieces of ${pieceBytes})`);
    // Whether the document may hold a NaN / Infinity token (validation then looks for them).
    assert.equal(large.ok && large.noTokens, ordinary.noTokens, `${label} (pieces of ${pieceBytes})`);
    // Deep equality with prototypes: exact numbers and non-finite tokens are the same classes.
    assert.deepEqual(large.ok && large.document, ordinary.document, `${label} (pieces of ${pieceBytes})`);
  }
}

test('a trajectory read value by value is the one read whole: documents, duplicate keys (in order), non-finite numbers, exact numbers', () => {
  const trajectory = spawnSync(process.execPath, [BIN, 'convert', join(ROOT, 'samples', 'claude-code-session.ndjson'), '-o', '-', '-q'], { encoding: 'utf8' });
  assert.equal(trajectory.status, 0, trajectory.stderr);
  const doc = JSON.parse(trajectory.stdout) as Record<string, unknown>;
  same(trajectory.stdout, 'a converted trajectory, compact');
  same(JSON.stringify(doc, null, 2), 'the same, pretty');
  same('{"a": {"b": [1, 2, {"c": NaN}], "b": [Infinity, -Infinity]}, "a": {"x": 1, "x": 2}, "z": 12345678901234567890, "f": 1.0, "e": 1e400}', 'repeated keys: the earlier values and what they held are dropped');
  same('{"__proto__": {"polluted": true}, "constructor": [], "k\\u00e9y \\"q\\" \\\\": "v [ { \\" } ]", "\\u2028": {}}', 'special and escaped keys, brackets and quotes inside strings');
  same('[[], {}, [[[]]], {"a": {}}, "", 0, -0.5e-3, true, false, null]', 'empty containers and every scalar');
  same('  \n {"steps": [ {"a": 1} ,\n {"b": [ 2 , 3 ] } ] }\n\n', 'space everywhere');
  same('{"a":1,"a":{"b":1,"b":2},"c":[{"d":1,"d":1}]}', 'duplicates at every level');
});

test('a document that is not JSON fails read value by value as it does read whole, saying where', () => {
  const broken = ['{"a": 1,}', '{"a" 1}', '{"a": [1 2]}', '{"a": tru}', '[1, 2', '{"a": "unterminated}', '{"a": 1} x', '{a: 1}', '[1,,2]', '{"a": 1 "b": 2}', '', '{"a": "\\x"}', '{"a": [01]}'];
  for (const text of broken) same(text, JSON.stringify(text));
  const large = loadTrajectoryJson(Buffer.from('{\n  "steps": [\n    {"a": 1}\n    {"b": 2}\n  ]\n}'), walked(4));
  assert.equal(large.ok, false);
  assert.deepEqual(large.findings.map((f) => [f.rule, f.message]), [['invalid-json', "not valid JSON: expected ',' or ']' at line 4, column 5"]]);
  const inner = loadTrajectoryJson(Buffer.from('{\n  "steps": [\n    {"a": tru}\n  ]\n}'), walked(4));
  assert.equal(inner.ok, false);
  assert.match(inner.findings[0].message, /^not valid JSON: .* \(in the value at \$\.steps\[0\]\.a, which starts at line 3, column 11\)$/);
  assert.equal(inner.findings[0].path, '$.steps[0].a');
  const notUtf8 = loadTrajectoryJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), walked(4));
  assert.deepEqual(notUtf8.findings.map((f) => f.message), loadTrajectoryJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])).findings.map((f) => f.message));
});

test('a document cut short fails as ending inside a value, at its end, at every piece size that walks it; inside a string, at that string', () => {
  const text = JSON.stringify({ steps: [{ a: [1, 2, { b: 'x' }] }, { c: 'y', d: {} }], z: 'last' }, null, 2);
  const at = (offset: number) => `line ${text.slice(0, offset).split('\n').length}, column ${offset - text.lastIndexOf('\n', offset - 1)}`;
  for (let cut = 1; cut < text.length - 1; cut++) {
    const prefix = text.slice(0, cut);
    // (No escaped quotes here: an odd count means the cut is inside a string.)
    const expected = prefix.split('"').length % 2 === 0
      ? `not valid JSON: a string is not closed at ${at(prefix.lastIndexOf('"'))}`
      : `not valid JSON: the document ends inside a value at ${at(cut)}`;
    for (const pieceBytes of [0, 1, 8, 40]) {
      // Followed to its end before it is walked (as a small value is), a container that never closes
      // says so first, whatever the walk would meet before the end (a key with no value, a missing comma).
      const large = loadTrajectoryJson(Buffer.from(prefix), walked(pieceBytes));
      assert.deepEqual(large.ok ? [] : large.findings.map((f) => f.message), [expected], `cut at ${cut}, pieces of ${pieceBytes}`);
    }
  }
});
