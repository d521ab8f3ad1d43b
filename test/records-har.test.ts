import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { GatewayExchange } from '../src/ingest/records/exchange.js';
import { preparedLlmCall } from '../src/gateway/capture-route.js';
import { responseNotRead } from '../src/gateway/upstream-outcome.js';
import { NOT_CAPTURED } from '../src/ingest/records/gateway.js';
import { decodeHarEntry, isHarDocument, looksLikeHarEntry } from '../src/ingest/records/har.js';
import { parseRfc3339 } from '../src/ingest/time.js';
import { parseJson } from '../src/json/parse.js';
import type { Json, JsonObject } from '../src/json/value.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const har = parseJson(readFileSync(join(FIXTURES, 'session.har'), 'utf8'));

function entries(): JsonObject[] {
  assert.ok(isHarDocument(har));
  return har.log.entries as JsonObject[];
}

function decode(entry: JsonObject, fallbackId = 'session.har#1'): GatewayExchange {
  const r = decodeHarEntry(entry, { fallbackId });
  assert.ok(r.ok, r.ok ? '' : `${r.path}: ${r.message}`);
  return r.exchange;
}

describe('HAR entries', () => {
  it('recognises a whole HAR document and single entries', () => {
    assert.equal(isHarDocument(har), true);
    assert.equal(isHarDocument(parseJson('{"log":{}}')), false);
    assert.equal(entries().every((e) => looksLikeHarEntry(e)), true);
    assert.equal(looksLikeHarEntry(parseJson('{"record":"gateway"}')), false);
  });

  it('decodes a streamed Anthropic call: url path, query, headers, body, SSE and end time', () => {
    const x = decode(entries()[0]);
    assert.equal(x.id, 'session.har#1');
    assert.equal(x.source, 'har');
    assert.equal(x.method, 'POST');
    assert.deepEqual([x.path, x.query], ['/v1/messages', 'beta=true']);
    assert.equal(x.headers.first.get('x-claude-code-session-id'), 'claude-abc', 'first value wins, names are case-insensitive');
    assert.equal((x.body as { model: string }).model, 'claude-sonnet-4-5');
    const started = parseRfc3339('2026-05-29T19:18:00.200Z') as bigint;
    assert.equal(x.startedNs, started);
    assert.equal(x.endedNs, started + 2_700_500_000n);
    assert.equal(x.response?.status, 200);
    assert.match(x.response?.sseText ?? '', /^event: message_start/);
  });

  it('decodes a base64 response body, and takes the entry id from _id', () => {
    const x = decode(entries()[1]);
    assert.equal(x.id, 'har-models');
    assert.equal(x.method, 'GET');
    assert.deepEqual(x.response?.body, { data: [] });
  });

  it('reads status 0 as a transport failure with the recorder error, and time -1 as no end', () => {
    const x = decode(entries()[2]);
    assert.equal(x.response, null);
    assert.equal(x.error, 'net::ERR_CONNECTION_REFUSED');
    assert.equal(x.endedNs, undefined);
  });

  it('an answered entry without a usable time ends after its timings, or when it started: it did end, and its answer is kept', () => {
    const answered = entries()[0];
    const started = parseRfc3339(answered.startedDateTime as string) as bigint;
    const without = (time: Json | undefined, timings?: Json): GatewayExchange => {
      const entry: JsonObject = { ...answered };
      delete entry.time;
      delete entry.timings;
      if (time !== undefined) entry.time = time;
      if (timings !== undefined) entry.timings = timings;
      return decode(entry);
    };
    for (const time of [undefined, null, -1]) {
      assert.equal(without(time).endedNs, started, `time ${String(time)}`);
      // HAR 1.2: -1 marks a phase that does not apply; ssl is part of connect.
      assert.equal(without(time, { blocked: -1, dns: 2, connect: 10, ssl: 8, send: 1, wait: 300, receive: 0.5 }).endedNs, started + 313_500_000n);
      assert.equal(without(time).response?.status, 200);
    }
    assert.equal(without(12).endedNs, started + 12_000_000n);
  });

  it('rejects an entry without a request url, naming the field', () => {
    const { request: _r, ...rest } = entries()[0];
    const bad = { ...rest, request: { method: 'POST' } } as unknown as JsonObject;
    const r = decodeHarEntry(bad, { fallbackId: 'x' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.path, 'request.url');
  });

  it('skips HTTP/2 pseudo-headers', () => {
    const entry = structuredClone(entries()[1]) as { request: { headers: Json[] } } & JsonObject;
    entry.request.headers = [{ name: ':authority', value: 'x' }, { name: 'Accept', value: '*/*' }];
    assert.deepEqual(decode(entry).headers.list, [['accept', '*/*']]);
  });

  it("reads mitmproxy's null body fields as absent: a body not kept is not captured, the call is kept", () => {
    // mitmproxy's savehar writes `"text": flow.response.get_text()`, null for a body it did not keep.
    const entry = structuredClone(entries()[0]) as { request: { postData: JsonObject }; response: { content: JsonObject } } & JsonObject;
    entry.response.content = { size: 0, compression: 0, mimeType: 'text/event-stream', text: null, encoding: null };
    const x = decode(entry);
    assert.equal(x.response?.status, 200);
    assert.equal(x.response?.bodyError, NOT_CAPTURED);
    assert.equal(x.response?.sseText, undefined);
    entry.request.postData = { mimeType: 'application/json', text: null, params: [] };
    const y = decode(entry);
    assert.equal(y.body, undefined);
    assert.equal(y.bodyError, 'no body');
  });

  it("reads Chrome's _error on an answered entry as a stream that broke off, not a complete answer", () => {
    // A streamed fetch aborted after its headers: status 200, the frames that arrived, `_error`.
    const entry = structuredClone(entries()[0]) as { response: JsonObject } & JsonObject;
    const full = decode(entry);
    assert.equal(full.response?.error, undefined);
    assert.equal(responseNotRead(preparedLlmCall(full).outcome), undefined);
    entry.response._error = 'net::ERR_ABORTED';
    const cut = decode(entry);
    assert.equal(cut.response?.status, 200);
    assert.equal(cut.response?.error, 'net::ERR_ABORTED');
    const { outcome } = preparedLlmCall(cut);
    assert.equal(outcome.kind, 'streamed');
    assert.ok(outcome.kind === 'streamed' && outcome.chunkMarks.length > 0, 'the frames before the break are read');
    assert.equal(responseNotRead(outcome), 'the stream broke off: net::ERR_ABORTED');
    // Chrome writes `_error: null` (and mitmproxy `null`) on a request that did not fail.
    entry.response._error = null;
    assert.equal(decode(entry).response?.error, undefined);
  });
});
