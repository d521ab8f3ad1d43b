import { createHash } from 'node:crypto';
/** The primitive helpers of relay-cli.md §0, whose exact semantics every later rule depends on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  firstPresentAt, firstStringAt, headerString, hermesStringAt, hermesValueAt, jsonStringAt, jsonValueAt, mergeJson, mergeMetadata,
  normalizeName, parseHookAgentKind, seededUuids, stringLike,
} from '../src/hooks/index.js';
import { parseJson } from '../src/json/parse.js';
import { JsonNumber, type Json } from '../src/json/value.js';
import { UUID_V7 } from './fixtures/hooks/harness.js';

describe('§0.1 headerString', () => {
  it('reads header names case-insensitively and takes the first value of a list', () => {
    assert.equal(headerString({ 'X-Nemo-Relay-Session-Id': 's1' }, 'x-nemo-relay-session-id'), 's1');
    assert.equal(headerString({ 'x-nemo-relay-session-id': ['first', 'second'] }, 'X-NEMO-RELAY-SESSION-ID'), 'first');
  });

  it('trims surrounding spaces and tabs, as the HTTP parser did before the live code saw the value', () => {
    assert.equal(headerString({ h: ' \tvalue  inside\t ' }, 'h'), 'value  inside');
  });

  it('treats empty, blank, missing, non-visible-ASCII and control-character values as absent', () => {
    for (const value of ['', '   ', 'caf\u00e9', 'a\u0001b', 'line\nbreak']) {
      assert.equal(headerString({ h: value }, 'h'), undefined, JSON.stringify(value));
    }
    assert.equal(headerString({ h: [] }, 'h'), undefined);
    assert.equal(headerString({}, 'h'), undefined);
    assert.equal(headerString(undefined, 'h'), undefined);
  });
});

describe('§0.2 adapter path helpers', () => {
  it('stringLike converts strings, numbers (JSON text) and booleans; nothing else; empty is absent', () => {
    assert.equal(stringLike('x'), 'x');
    assert.equal(stringLike(7), '7');
    assert.equal(stringLike(0.25), '0.25');
    assert.equal(stringLike(1e21), '1e21');
    assert.equal(stringLike(true), 'true');
    assert.equal(stringLike(false), 'false');
    assert.equal(stringLike(new JsonNumber('12.0')), '12.0');
    assert.equal(stringLike(parseJson('18446744073709551615')), '18446744073709551615');
    // As serde_json's Number::to_string: what is not an integer of i64/u64 was read as an f64 and prints through ryu.
    assert.equal(stringLike(parseJson('1e2')), '100.0');
    assert.equal(stringLike(parseJson('1.50')), '1.5');
    assert.equal(stringLike(parseJson('100000000000000000000')), '1e20');
    assert.equal(stringLike(parseJson('-0')), '-0.0');
    for (const value of ['', null, [], {}, ['a'], { a: 'b' }, undefined] as (Json | undefined)[]) {
      assert.equal(stringLike(value), undefined, JSON.stringify(value));
    }
  });

  it('firstStringAt falls through absent, null, non-scalar and empty candidates and reports the path', () => {
    const payload = { a: null, b: { c: 1 }, d: '', e: [{ x: 'no' }], f: { g: 'found' } };
    assert.deepEqual(firstStringAt(payload, ['missing', 'a', 'b', 'd', 'e', 'e.0.x', 'f.g']), { value: 'found', path: 'f.g' });
    assert.equal(firstStringAt(payload, ['a', 'b']), undefined);
  });

  it('firstPresentAt stops at the first existing key, even when it holds null', () => {
    assert.deepEqual(firstPresentAt({ input: null, arguments: { x: 1 } }, ['tool_input', 'input', 'arguments']), { value: null, path: 'input' });
    assert.equal(firstPresentAt({ other: 1 }, ['tool_input']), undefined);
  });

  it('lookups never index into arrays and never read inherited properties', () => {
    assert.equal(firstStringAt({ list: ['zero'] }, ['list.0']), undefined);
    assert.equal(firstStringAt({}, ['constructor', 'toString']), undefined);
    const withProto = parseJson('{"__proto__":{"id":"p"}}');
    assert.deepEqual(firstStringAt(withProto, ['__proto__.id']), { value: 'p', path: '__proto__.id' });
  });
});

describe('§0.3 alignment helpers (seed quirk)', () => {
  it('jsonValueAt returns the value at the first existing path, null and objects included', () => {
    assert.equal(jsonValueAt({ a: null, b: 'x' }, ['a', 'b']), null);
    assert.deepEqual(jsonValueAt({ b: { c: 1 } }, ['a', 'b']), { c: 1 });
    assert.equal(jsonValueAt({}, ['a']), undefined);
  });

  it('jsonStringAt does not fall through past an existing null, object or empty string', () => {
    assert.equal(jsonStringAt({ a: null, b: 'x' }, ['a', 'b']), undefined);
    assert.equal(jsonStringAt({ a: {}, b: 'x' }, ['a', 'b']), undefined);
    assert.equal(jsonStringAt({ a: '', b: 'x' }, ['a', 'b']), undefined);
    assert.equal(jsonStringAt({ b: 5 }, ['a', 'b']), '5');
  });
});

describe('§0.4 Hermes helpers', () => {
  it('hermesValueAt reads the top level, then extra, and keeps a present null', () => {
    assert.equal(hermesValueAt({ k: 'top', extra: { k: 'extra' } }, 'k'), 'top');
    assert.equal(hermesValueAt({ extra: { k: 'extra' } }, 'k'), 'extra');
    assert.equal(hermesValueAt({ k: null, extra: { k: 'extra' } }, 'k'), null);
    assert.equal(hermesValueAt(['k'], 'k'), undefined);
  });

  it('hermesStringAt: a top-level null hides the extra value', () => {
    assert.equal(hermesStringAt({ k: null, extra: { k: 'extra' } }, 'k'), undefined);
    assert.equal(hermesStringAt({ extra: { k: 3 } }, 'k'), '3');
  });
});

describe('§0.5 normalizeName', () => {
  it('keeps ASCII letters and digits, lower-cased', () => {
    for (const name of ['PostToolUse', 'post_tool_use', 'postToolUse', 'POST-TOOL-USE', ' post.tool use ']) {
      assert.equal(normalizeName(name), 'posttooluse', name);
    }
    assert.equal(normalizeName('Pre\u00c9Tool2'), 'pretool2');
  });

  it('parseHookAgentKind accepts the endpoint names in any case and separator style', () => {
    assert.equal(parseHookAgentKind('claude-code'), 'claude-code');
    assert.equal(parseHookAgentKind('Claude_Code'), 'claude-code');
    assert.equal(parseHookAgentKind('HERMES'), 'hermes');
    assert.equal(parseHookAgentKind('gateway'), undefined);
    assert.equal(parseHookAgentKind('claude'), undefined);
    assert.equal(parseHookAgentKind('--'), undefined);
  });
});

describe('§0.6 mergeMetadata and §0.7 mergeJson', () => {
  it('mergeMetadata: right wins except for right-hand nulls', () => {
    assert.deepEqual(mergeMetadata({ a: 1, b: 2, c: 3 }, { b: 20, c: null, d: 4 }), { a: 1, b: 20, c: 3, d: 4 });
  });

  it('mergeMetadata: a null side yields the other; other shapes are kept under two keys', () => {
    assert.deepEqual(mergeMetadata(null, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeMetadata({ a: 1 }, null), { a: 1 });
    assert.equal(mergeMetadata(null, null), null);
    assert.deepEqual(mergeMetadata({ a: 1 }, 'x'), { metadata: { a: 1 }, extra_metadata: 'x' });
    assert.deepEqual(mergeMetadata([1], { a: 1 }), { metadata: [1], extra_metadata: { a: 1 } });
  });

  it('mergeMetadata copies: neither input is modified', () => {
    const left = { a: 1 };
    mergeMetadata(left, { b: 2 });
    assert.deepEqual(left, { a: 1 });
  });

  it('mergeJson: b wins including its nulls; absent sides yield the other; non-objects are replaced by b', () => {
    assert.deepEqual(mergeJson({ a: 1, b: 2 }, { b: null, c: 3 }), { a: 1, b: null, c: 3 });
    assert.deepEqual(mergeJson(undefined, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeJson({ a: 1 }, undefined), { a: 1 });
    assert.equal(mergeJson(undefined, undefined), undefined);
    assert.equal(mergeJson({ a: 1 }, null), null);
    assert.deepEqual(mergeJson('x', { a: 1 }), { a: 1 });
  });
});

describe('seededUuids (synthetic ids)', () => {
  it('gives UUIDv7-shaped ids with the given time, distinct per call, reproducible per seed', () => {
    const first = seededUuids('record-1', 1_780_000_000_000);
    const a = first.next();
    const b = first.next();
    assert.match(a, UUID_V7);
    assert.match(b, UUID_V7);
    assert.notEqual(a, b);
    assert.equal(a.replace(/-/g, '').slice(0, 12), (1_780_000_000_000).toString(16).padStart(12, '0'));
    const again = seededUuids('record-1', 1_780_000_000_000);
    assert.deepEqual([again.next(), again.next()], [a, b]);
    assert.notEqual(seededUuids('record-2', 1_780_000_000_000).next(), a);
  });

  it('derives each id from SHA-256 of the seed and a call counter, as documented (ids already written stay the same)', () => {
    // The documented recipe, byte by byte: digest bytes 0–15, the time in bytes 0–5, version 7, RFC 4122 variant.
    const byRecipe = (seed: string, unixMs: number, counter: number): string => {
      const bytes = createHash('sha256').update(`${seed}\u0000${counter}`).digest().subarray(0, 16);
      for (let i = 5, t = unixMs; i >= 0; i--, t = Math.floor(t / 256)) bytes[i] = t % 256;
      bytes[6] = 0x70 | (bytes[6] & 0x0f);
      bytes[8] = 0x80 | (bytes[8] & 0x3f);
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    for (const [seed, ms] of [['record-1', 1_780_000_000_000], ['a:b@17', 0], ['ünïcode', 2 ** 48 - 1], ['', 12345]] as const) {
      const ids = seededUuids(seed, ms);
      for (let counter = 0; counter < 40; counter++) assert.equal(ids.next(), byRecipe(seed, ms, counter), `${seed} #${counter}`);
    }
  });

  it('rejects times a UUIDv7 cannot hold', () => {
    assert.throws(() => seededUuids('s', -1), RangeError);
    assert.throws(() => seededUuids('s', 2 ** 48), RangeError);
    assert.throws(() => seededUuids('s', 1.5), RangeError);
  });
});
