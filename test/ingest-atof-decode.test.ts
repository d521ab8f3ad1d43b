import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { atofEnvelopeSchema, decodeAtof } from '../src/ingest/atof.js';
import { JsonNumber, type JsonObject } from '../src/json/value.js';

// decodeAtof checks valid events by hand and asks zod only to describe failures: both must accept
// exactly the same envelopes.
const valueOf = <T>(xs: T[]) => fc.constantFrom(...xs);
const UUID = '0197c4e2-3a10-7b21-9c4d-5e6f70819201';
const field = {
  kind: valueOf(['scope', 'mark', 'Scope', 1, null, undefined]),
  atof_version: valueOf(['0.1', '0.2', '0.10', '1.0', '0', 'banana', '', 1, undefined]),
  uuid: valueOf([UUID, UUID.toUpperCase(), `{${UUID}}`, UUID.replaceAll('-', ''), 'not-a-uuid', 7, undefined]),
  parent_uuid: valueOf([UUID, null, undefined, 'x', 3]),
  timestamp: valueOf(['2026-03-04T17:21:09.482913517+00:00', '2026-03-04T17:21:09Z', '2026-03-04T17:21:09', '2026-02-30T00:00:00Z', '0050-06-01T00:00:00Z', '9999-12-31T23:59:59-01:00', 'yesterday', 1772644874002118, 253402300800000000, 1.5, new JsonNumber('12.0'), new JsonNumber('99999999999999999999'), null, undefined]),
  name: valueOf(['n', '', 1, null, undefined]),
  scope_category: valueOf(['start', 'end', 'START', null, undefined]),
  category: valueOf(['llm', 'tool', 'agent', 'custom-thing', null, undefined, 5]),
  attributes: valueOf([[], ['streaming'], [1], null, undefined, 'x']),
  category_profile: valueOf([{}, { model_name: 'm' }, { model_name: null, tool_call_id: 'c' }, { model_name: 5 }, { tool_call_id: ['a'] }, { subtype: {} }, { other: 5 }, null, undefined, [], 'x']),
  data_schema: valueOf([null, undefined, { name: 'n', version: '1' }, { name: 'n', version: '1', extra: true }, { name: 'n' }, { name: 1, version: '1' }, 'x', []]),
  data: valueOf([null, undefined, {}, 'x']),
  metadata: valueOf([null, undefined, { a: 1 }]),
};

test('the hand-written fast path accepts exactly what the zod schema accepts', () => {
  fc.assert(
    fc.property(fc.record(field), (rec) => {
      const raw = Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined)) as JsonObject;
      const fast = decodeAtof(raw, 0);
      const zod = atofEnvelopeSchema.safeParse(raw).success;
      assert.equal(fast.ok, zod, JSON.stringify(raw));
    }),
    { numRuns: 3000, seed: 7 },
  );
});

test('any 0.x version is read; another major (or no MAJOR.MINOR) is rejected at atof_version (spec §2: fail fast)', () => {
  const event = (atof_version: string) => ({ kind: 'mark', atof_version, uuid: UUID, timestamp: '2026-03-04T17:21:09Z', name: 'n' });
  for (const v of ['0.1', '0.2', '0.17']) assert.equal(decodeAtof(event(v), 0).ok, true, v);
  for (const v of ['1.0', '2.1', 'banana', '0', '0.1.0', '']) {
    assert.deepEqual(decodeAtof(event(v), 0), { ok: false, path: 'atof_version', message: 'unsupported ATOF version: this reads 0.x ("MAJOR.MINOR")' }, v);
  }
});

test('fields the Rust reader types are rejected by name when of another type: data_schema, profile strings (spec §2, §3.3)', () => {
  const mark = (extra: object) => ({ kind: 'mark', atof_version: '0.1', uuid: UUID, timestamp: '2026-03-04T17:21:09Z', name: 'n', ...extra });
  assert.deepEqual(decodeAtof(mark({ data_schema: 'x' }), 0), { ok: false, path: 'data_schema', message: 'Invalid input: expected object, received string' });
  assert.deepEqual(decodeAtof(mark({ category_profile: { model_name: 5 } }), 0), { ok: false, path: 'category_profile.model_name', message: 'model_name must be a string (or null)' });
  // Unset (missing or null), other profile keys of any type, and metadata of any JSON type stay accepted.
  for (const ok of [{ category_profile: { model_name: null, custom: 5 } }, { metadata: 'hello' }, { data_schema: { name: 'n', version: '1' } }]) assert.equal(decodeAtof(mark(ok), 0).ok, true, JSON.stringify(ok));
});

test('a failure names the zod path', () => {
  const r = decodeAtof({ kind: 'scope', atof_version: '0.1', uuid: UUID, timestamp: 'yesterday', name: 'n', scope_category: 'start', category: 'llm' }, 0);
  assert.deepEqual(r, { ok: false, path: 'timestamp', message: 'not an RFC 3339 timestamp' });
});
