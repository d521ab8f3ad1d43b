/**
 * decodeGatewayRecord checks the common, valid gateway capture record by hand and leaves the rest to
 * zod: it must accept exactly what the zod schema accepts, reject with the same path and message, and
 * give the same exchange, on random and damaged records (`__proto__` and `constructor` keys among them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeGatewayRecord, decodeGatewayRecordWithZod } from '../src/ingest/records/gateway.js';
import { parseJson } from '../src/json/parse.js';
import { isObject } from '../src/json/value.js';

/** Members as JSON text, so that `__proto__` is an own key as JSON.parse makes it. */
const members = (entries: Array<[string, string | undefined]>) =>
  `{${entries.flatMap(([k, v]) => (v === undefined ? [] : [`${JSON.stringify(k)}:${v}`])).join(',')}}`;

/** Mostly a valid value (or absent), sometimes a damaged one, so that records with one fault are common. */
const mostly = <T>(valid: fc.Arbitrary<T>, damaged: fc.Arbitrary<T>) => fc.oneof({ weight: 14, arbitrary: valid }, { weight: 1, arbitrary: damaged });
const headerName = mostly(fc.constantFrom('content-type', 'X-Relay-Session-Id', 'Content-Encoding', '1', ''), fc.constantFrom('__proto__', 'constructor', 'toString'));
const headerValue = mostly(fc.constantFrom('"application/json"', '"text/event-stream"', '""', '["a","b"]', '[]', '"gzip"'), fc.constantFrom('["a",1]', '[null]', '1', 'null', '{}', 'true'));
const headers = mostly(
  fc.oneof(fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }).map((e) => members(e)), fc.constant(undefined)),
  fc.constantFrom('[]', 'null', '"h"', '1'),
);
/** The alternative body fields: mostly one or none (null counts as absent), sometimes two, sometimes of the wrong type. */
const bodyValue = fc.constantFrom('{"model":"m","messages":[{"role":"user","content":"hi"}]}', '"text"', '[]', '1.50');
const bodyFields = (extra: string[] = []) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.oneof(fc.constant({}), bodyValue.map((body) => ({ body })), fc.constantFrom('"{\\"model\\":\\"m\\"}"', '"not json"', '""').map((body_text) => ({ body_text })), fc.constantFrom('"eyJtIjoxfQ=="', '"!!"').map((body_base64) => ({ body_base64 })), fc.constantFrom(...(extra.length > 0 ? extra : ['null'])).map((sse) => (extra.length > 0 ? { sse } : { body: sse }))) },
    { weight: 1, arbitrary: fc.record({ body: fc.constantFrom('null', '{}', undefined), body_text: fc.constantFrom('"t"', '1', 'null', undefined), body_base64: fc.constantFrom('"eQ=="', '[]', undefined), sse: fc.constantFrom('"data: x"', '1', undefined) }) },
  ) as fc.Arbitrary<Record<string, string | undefined>>;
const timestamp = (damaged: fc.Arbitrary<string | undefined>) => mostly(fc.constantFrom('"2026-05-30T10:00:00.000Z"', '"2026-05-30T10:00:01+02:00"'), damaged);
const responseFields = {
  status: mostly(fc.constantFrom('200', '404', '0', '999', '200.0'), fc.constantFrom('1000', '-1', '200.5', '"200"', 'null', '12345678901234567890', undefined)),
  headers,
  error: mostly(fc.constantFrom('"upstream timeout"', 'null', undefined), fc.constantFrom('1', '""', '{}')),
};
const response = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.record(responseFields), bodyFields(['"data: {}\\n\\n"', 'null']))
      .map(([r, b]) => members([...Object.entries(r), ...Object.entries(b)])),
  },
  { weight: 1, arbitrary: fc.constantFrom('null', '[]', '"ok"', '1', undefined) },
);
const field = {
  record: mostly(fc.constant('"gateway"'), fc.constantFrom('"Gateway"', '"hook"', '1', undefined)),
  id: mostly(fc.constantFrom('"cap-1"', '7', '12345678901234567890', undefined), fc.constantFrom('""', 'null', '[]', '1e400')),
  started_at: timestamp(fc.constantFrom('"2026-05-30T10:00:00"', '"2026-02-30T00:00:00Z"', '1780142402', 'null', undefined)),
  ended_at: timestamp(fc.constantFrom('"later"', '1', 'null', undefined)),
  method: mostly(fc.constantFrom('"POST"', '"get"', undefined), fc.constantFrom('""', 'null', '1')),
  path: mostly(fc.constantFrom('"/v1/chat/completions"', '"/v1/messages?beta=true"'), fc.constantFrom('"v1/responses"', '""', 'null', '1', undefined)),
  url: mostly(fc.constantFrom('"https://api.openai.com/v1/responses"', undefined), fc.constantFrom('"api.openai.com/v1"', '"/v1/x"', 'null')),
  headers,
  response,
  error: mostly(fc.constantFrom('"connection reset"', 'null', undefined), fc.constantFrom('1', '[]')),
  extra: fc.constantFrom('{"a":1}', '"x"', '{"record":"hook"}', undefined),
};
const extraKey = fc.constantFrom('__proto__', 'constructor', 'other', 'hasOwnProperty');

test('the hand-written check decodes every gateway record exactly as zod does', () => {
  let handled = 0;
  fc.assert(
    fc.property(fc.record(field), bodyFields(), extraKey, fc.boolean(), (rec, bodies, key, shuffle) => {
      const { extra, ...known } = rec;
      const entries: Array<[string, string | undefined]> = [...Object.entries(known), ...Object.entries(bodies), [key, extra]];
      if (shuffle) entries.reverse();
      const text = members(entries);
      const value = parseJson(text);
      if (!isObject(value)) return;
      const expected = decodeGatewayRecordWithZod(value, { fallbackId: 'f.ndjson:1' });
      if (expected.ok) handled++;
      assert.deepStrictEqual(decodeGatewayRecord(value, { fallbackId: 'f.ndjson:1' }), expected, text);
    }),
    { numRuns: 6000, seed: 28 },
  );
  // The generator must reach valid records often, or the comparison would only be of rejections.
  assert.ok(handled > 1000, `only ${handled} valid records`);
});
