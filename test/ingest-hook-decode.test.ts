/**
 * decodeHookRecord checks the common, valid hook record by hand and leaves the rest to zod: it must
 * accept exactly what the zod schema accepts, reject with the same path and message, and give the same
 * envelope (agent, time, a copy of the headers, prototype included), on random and damaged records,
 * `__proto__` and `constructor` keys among them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeHookRecord, decodeHookRecordWithZod } from '../src/ingest/records/hook-record.js';
import { parseJson } from '../src/json/parse.js';
import { isObject, type JsonObject } from '../src/json/value.js';

/** The reader as it was: zod for every record. */
const zodDecode = decodeHookRecordWithZod;

/** Members as JSON text, so that `__proto__` is an own key as JSON.parse makes it. */
const members = (entries: Array<[string, string | undefined]>) =>
  `{${entries.flatMap(([k, v]) => (v === undefined ? [] : [`${JSON.stringify(k)}:${v}`])).join(',')}}`;

/** Mostly a valid value, sometimes a damaged one, so that records with one fault are common. */
const mostly = <T>(valid: fc.Arbitrary<T>, damaged: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: damaged });
const headerName = mostly(fc.constantFrom('x-claude-code-session-id', 'X-Relay', 'authorization', '1', ''), fc.constantFrom('__proto__', 'constructor', 'toString'));
const headerValue = mostly(fc.constantFrom('"v"', '""', '["a","b"]', '[]'), fc.constantFrom('["a",1]', '[null]', '1', '1.0', 'null', '{}', 'true', '12345678901234567890'));
const headers = mostly(
  fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }).map((e) => members(e)),
  fc.constantFrom('[]', 'null', '"h"', '1', undefined),
);
const field = {
  record: mostly(fc.constant('"hook"'), fc.constantFrom('"Hook"', '"gateway"', '1', undefined)),
  agent: mostly(fc.constantFrom('"claude-code"', '"Claude_Code"', '"CODEX"', '"cursor"', '"hermes"'), fc.constantFrom('"gateway"', '""', '"-"', '1', 'null', '["codex"]', undefined)),
  received_at: mostly(
    fc.constantFrom('"2026-05-30T10:00:00.000Z"', '"2026-05-30T10:00:00+02:00"'),
    fc.constantFrom('"2026-05-30T10:00:00"', '"2026-02-30T00:00:00Z"', '"later"', '1780142402', 'null', undefined),
  ),
  headers,
  payload: mostly(fc.constantFrom('{"hook_event_name":"Stop"}', 'null', '1.0', '"x"', '[]'), fc.constant(undefined)),
  extra: fc.constantFrom('{"a":1}', '"x"', '{"headers":{"h":"v"}}', '["y"]', undefined),
};
const extraKey = fc.constantFrom('__proto__', 'constructor', 'other', 'hasOwnProperty');

test('the hand-written check decodes every hook record exactly as zod does', () => {
  fc.assert(
    fc.property(fc.record(field), extraKey, fc.boolean(), (rec, key, shuffle) => {
      const entries: Array<[string, string | undefined]> = [
        ['record', rec.record],
        ['agent', rec.agent],
        ['received_at', rec.received_at],
        ['headers', rec.headers],
        ['payload', rec.payload],
        [key, rec.extra],
      ];
      if (shuffle) entries.reverse();
      const text = members(entries);
      const value = parseJson(text);
      if (!isObject(value)) return;
      assert.deepStrictEqual(decodeHookRecord(value), zodDecode(value), text);
    }),
    { numRuns: 5000, seed: 11 },
  );
});

test('a valid record takes the hand-written path: its headers are a copy, lists copied too', () => {
  const value = parseJson('{"record":"hook","agent":"codex","received_at":"2026-05-30T10:00:00Z","headers":{"a":["x"],"b":"y"},"payload":{}}') as JsonObject;
  const decoded = decodeHookRecord(value);
  assert.ok(decoded.ok);
  assert.deepStrictEqual(decoded.envelope.headers, { a: ['x'], b: 'y' });
  assert.notEqual(decoded.envelope.headers, value.headers);
  assert.notEqual(decoded.envelope.headers.a, (value.headers as JsonObject).a);
});

test('a header value that is no string (or list of strings) is rejected saying what a header value must be, naming the header', () => {
  for (const bad of ['42', 'null', '{"x":1}', '["a",1]']) {
    const decoded = decodeHookRecord(parseJson(`{"record":"hook","agent":"codex","received_at":"2026-05-30T10:00:00Z","headers":{"content-length":${bad}},"payload":{}}`) as JsonObject);
    assert.ok(!decoded.ok, bad);
    assert.match(`${decoded.path}: ${decoded.message}`, /^headers\.content-length(\.1)?: a header value must be a string or an array of strings$/, bad);
  }
});
