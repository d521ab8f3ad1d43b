import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeGatewayRecord, looksLikeGatewayRecord, NOT_CAPTURED } from '../src/ingest/records/gateway.js';
import type { GatewayExchange } from '../src/ingest/records/exchange.js';
import { parseRfc3339 } from '../src/ingest/time.js';
import { parseJson } from '../src/json/parse.js';
import type { JsonObject } from '../src/json/value.js';

const base = {
  record: 'gateway',
  id: 'cap-1',
  started_at: '2026-05-29T21:18:00.200Z',
  ended_at: '2026-05-29T21:18:02.900Z',
  method: 'POST',
  path: '/v1/chat/completions',
};

function decode(record: object): GatewayExchange {
  const r = decodeGatewayRecord(record as JsonObject);
  assert.ok(r.ok, r.ok ? '' : `${r.path}: ${r.message}`);
  return r.exchange;
}

function reject(record: object): { path: string; message: string } {
  const r = decodeGatewayRecord(record as JsonObject);
  assert.equal(r.ok, false);
  return r as { path: string; message: string };
}

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], session_id: 'hermes-1' };
const bodyText = JSON.stringify(body);
const b64 = (buf: Buffer) => buf.toString('base64');

/** A zstd frame holding one raw (uncompressed) block: valid zstd without needing a compressor. */
function zstdRawFrame(payload: Buffer): Buffer {
  assert.ok(payload.length < 256);
  const blockHeader = (payload.length << 3) | 1; // last block, raw, size
  return Buffer.concat([
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, payload.length]), // magic, single-segment, 1-byte content size
    Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]),
    payload,
  ]);
}

describe('decodeGatewayRecord', () => {
  it('detects gateway records by their record field', () => {
    assert.equal(looksLikeGatewayRecord(parseJson('{"record":"gateway"}')), true);
    assert.equal(looksLikeGatewayRecord(parseJson('{"record":"hook"}')), false);
  });

  it('normalizes the example record of input-records.md §3', () => {
    const x = decode({
      ...base,
      headers: { 'Content-Type': 'application/json', 'X-Claude-Code-Session-Id': ['first', 'second'] },
      body,
      response: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: null, sse: 'data: {}\n\ndata: [DONE]\n\n' },
    });
    assert.equal(x.id, 'cap-1');
    assert.equal(x.source, 'gateway');
    assert.equal(x.startedNs, parseRfc3339('2026-05-29T21:18:00.200Z'));
    assert.equal(x.endedNs, parseRfc3339('2026-05-29T21:18:02.900Z'));
    assert.equal(x.method, 'POST');
    assert.equal(x.path, '/v1/chat/completions');
    assert.equal(x.headers.first.get('x-claude-code-session-id'), 'first');
    assert.deepEqual(x.headers.list.filter(([n]) => n === 'x-claude-code-session-id'), [
      ['x-claude-code-session-id', 'first'],
      ['x-claude-code-session-id', 'second'],
    ]);
    assert.deepEqual(x.body, body);
    assert.equal(x.response?.status, 200);
    assert.equal(x.response?.sseText, 'data: {}\n\ndata: [DONE]\n\n');
  });

  it('rejects a response with two bodies, but reads "body": null next to "sse" as no JSON body', () => {
    assert.equal(reject({ ...base, response: { status: 200, body: {}, sse: 'data: 1\n\n' } }).path, 'response.sse');
    assert.equal(decode({ ...base, response: { status: 200, body: null, body_text: 'x' } }).response?.bodyText, 'x');
  });

  it('splits the query off the path and accepts an absolute url instead of a path', () => {
    const a = decode({ ...base, path: '/v1/responses?x=1&y=2' });
    assert.deepEqual([a.path, a.query], ['/v1/responses', 'x=1&y=2']);
    const { path: _p, ...noPath } = base;
    const b = decode({ ...noPath, url: 'http://127.0.0.1:4000/v1/messages/count_tokens?beta=true' });
    assert.deepEqual([b.path, b.query], ['/v1/messages/count_tokens', 'beta=true']);
    // No normalization: the router matches the path as sent.
    assert.equal(decode({ ...base, path: '/v1/../responses' }).path, '/v1/../responses');
  });

  it('defaults the method to POST and upper-cases it, and leaves ended_at unset when missing', () => {
    const { method: _m, ended_at: _e, ...rest } = base;
    const x = decode(rest);
    assert.equal(x.method, 'POST');
    assert.equal(x.endedNs, undefined);
    assert.equal(decode({ ...base, method: 'get' }).method, 'GET');
  });

  it('parses body_text as JSON and carries a non-JSON body as undefined with the reason', () => {
    assert.deepEqual(decode({ ...base, body_text: bodyText }).body, body);
    const x = decode({ ...base, body_text: 'not json' });
    assert.equal(x.body, undefined);
    assert.match(x.bodyError ?? '', /not JSON/);
  });

  it('decodes body_base64 without content-encoding', () => {
    assert.deepEqual(decode({ ...base, body_base64: b64(Buffer.from(bodyText)) }).body, body);
  });

  for (const [coding, compress] of [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`decodes body_base64 with content-encoding ${coding}`, () => {
      const x = decode({ ...base, headers: { 'Content-Encoding': coding }, body_base64: b64(compress(Buffer.from(bodyText))) });
      assert.deepEqual(x.body, body);
      assert.equal(x.bodyError, undefined);
    });
  }

  it('decodes a raw (unwrapped) deflate stream sent as content-encoding deflate', () => {
    assert.deepEqual(decode({ ...base, headers: { 'content-encoding': 'deflate' }, body_base64: b64(deflateRawSync(Buffer.from(bodyText))) }).body, body);
  });

  it('undoes stacked codings last-first', () => {
    const twice = brotliCompressSync(gzipSync(Buffer.from(bodyText)));
    assert.deepEqual(decode({ ...base, headers: { 'content-encoding': 'gzip, br' }, body_base64: b64(twice) }).body, body);
  });

  it('decodes zstd on every supported Node (zlib where it has zstd, fzstd on Node 20)', () => {
    const x = decode({ ...base, headers: { 'content-encoding': 'zstd' }, body_base64: b64(zstdRawFrame(Buffer.from('{"model":"z"}'))) });
    assert.deepEqual(x.body, { model: 'z' });
    assert.equal(x.bodyError, undefined);
  });

  it('decodes a Codex request body compressed by the zstd tool (compressed blocks, not raw ones)', () => {
    // `zstd -3` of a Codex-like Responses body: Huffman/FSE-coded blocks and a checksum, as Codex
    // (zstd level 3) sends them with Content-Encoding: zstd.
    const codexZstd =
      'KLUv/WRqAD0EADKIGhtwxzroxazgrJxYI5DUAVcNQQI6oh1BAuiFIwKAx3iM50a6KFmlBFZUv+bVXLPXXFOIM1k3jXCnbXINL/fBFVMZB2MypZrKl8PeKTh9meW1m0h1CnF6Rrh6E2/ygKsQoEGxC7vTXR5QuRMJALAhRbXS1uhSIwhhqi4zjdjsEdVy7XVCAfQTs2w=';
    const x = decode({ ...base, path: '/backend-api/codex/responses', headers: { 'Content-Encoding': 'zstd' }, body_base64: codexZstd });
    assert.equal(x.bodyError, undefined);
    const text = 'Fix the failing test in src/math.ts. '.repeat(6);
    assert.deepEqual(x.body, { model: 'gpt-5.1-codex', store: false, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }] });
  });

  it('names a corrupt zstd body', () => {
    const x = decode({ ...base, headers: { 'content-encoding': 'zstd' }, body_base64: b64(Buffer.from('not zstd at all')) });
    assert.equal(x.body, undefined);
    assert.match(x.bodyError ?? '', /content-encoding "zstd" body failed to decode: /);
  });

  it('names an unknown coding and a corrupt body', () => {
    assert.match(decode({ ...base, headers: { 'content-encoding': 'compress' }, body_base64: 'AAAA' }).bodyError ?? '', /unsupported content-encoding "compress"/);
    assert.match(decode({ ...base, headers: { 'content-encoding': 'gzip' }, body_base64: b64(Buffer.from('plain')) }).bodyError ?? '', /"gzip" body failed to decode/);
    assert.match(decode({ ...base, body_base64: '@@@' }).bodyError ?? '', /not valid base64/);
  });

  it('decodes a compressed response body with the response content-encoding', () => {
    const x = decode({ ...base, response: { status: 200, headers: { 'content-encoding': 'gzip' }, body_base64: b64(gzipSync(Buffer.from('{"id":"r"}'))) } });
    assert.deepEqual(x.response?.body, { id: 'r' });
    assert.equal(x.response?.bodyBytes, 10);
  });

  it('keeps a non-JSON response as text with its byte length, and reads an event-stream body_text as SSE', () => {
    const text = decode({ ...base, response: { status: 502, body_text: 'Bad gateway ✗' } }).response;
    assert.equal(text?.body, undefined);
    assert.equal(text?.bodyText, 'Bad gateway ✗');
    assert.equal(text?.bodyBytes, Buffer.byteLength('Bad gateway ✗'));
    const sse = decode({ ...base, response: { status: 200, headers: { 'Content-Type': 'text/event-stream; charset=utf-8' }, body_text: 'data: 1\n\n' } }).response;
    assert.equal(sse?.sseText, 'data: 1\n\n');
  });

  it('reads a transport failure as response null with the error', () => {
    const x = decode({ ...base, response: null, error: 'connection refused' });
    assert.equal(x.response, null);
    assert.equal(x.error, 'connection refused');
  });

  it('rejects records without a time, with a bad time, or without path and url, naming the field', () => {
    const { started_at: _s, ...noStart } = base;
    assert.equal(reject(noStart).path, 'started_at');
    assert.equal(reject({ ...base, ended_at: 'yesterday' }).path, 'ended_at');
    const { path: _p, ...noPath } = base;
    assert.equal(reject(noPath).path, 'path');
    assert.equal(reject({ ...base, path: 'v1/responses' }).path, 'path');
    assert.equal(reject({ ...base, response: { status: 'ok' } }).path, 'response.status');
    assert.equal(reject({ ...base, body: {}, body_text: '{}' }).path, 'body_text');
  });

  it('keeps a numeric id as written', () => {
    assert.equal(decode({ ...base, id: 17 }).id, '17');
    assert.equal(decode(parseJson('{"record":"gateway","id":12345678901234567890,"started_at":"2026-05-29T21:18:00Z","path":"/v1/messages"}') as object).id, '12345678901234567890');
  });

  it('keeps a response that is not UTF-8 as lossy text (for the SSE decoder) and never as JSON', () => {
    const bytes = Buffer.concat([Buffer.from('data: {"type":"message_stop"}\n\n'), Buffer.from([0xff, 0xfe])]);
    const r = decode({ ...base, response: { status: 200, body_base64: b64(bytes) } }).response;
    assert.equal(r?.body, undefined);
    assert.match(r?.bodyText ?? '', /message_stop/);
    assert.match(r?.bodyError ?? '', /not valid UTF-8/);
  });

  it('uses the fallback id when the record has none, and rejects when there is neither', () => {
    const { id: _i, ...noId } = base;
    const r = decodeGatewayRecord(noId as JsonObject, { fallbackId: 'caps.ndjson:7' });
    assert.ok(r.ok && r.exchange.id === 'caps.ndjson:7');
    assert.equal(reject(noId).path, 'id');
  });

  it('tolerates unknown keys and reads a status written as 200.0', () => {
    const x = decode(parseJson(JSON.stringify({ ...base, extra: 1 }).replace('}', ',"response":{"status":200.0,"body":{}}}')) as object);
    assert.equal(x.response?.status, 200);
  });
});

describe('response bodies the capture left out', () => {
  it('says so, instead of pretending the body was empty', () => {
    const r = decodeGatewayRecord({ ...base, response: { status: 200 } } as unknown as JsonObject);
    assert.ok(r.ok);
    assert.equal(r.exchange.response?.bodyError, NOT_CAPTURED);
  });
});
