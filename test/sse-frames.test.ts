import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSseStream } from '../src/providers/sse/frames.js';
import { JsonNumber } from '../src/json/value.js';

describe('decodeSseStream', () => {
  it('reads data lines, ignores event/id/retry/comment lines and drops [DONE]', () => {
    const text = ': keep-alive\n\nevent: x\nid: 7\nretry: 100\ndata: {"a":1}\n\ndata: [DONE]\n\n';
    assert.deepEqual(decodeSseStream(text), { events: [{ a: 1 }], done: true });
  });

  it('normalizes CRLF and joins multi-line data with a newline', () => {
    const text = 'data: {"a":\r\ndata: [1,\r\ndata:2]}\r\n\r\n';
    assert.deepEqual(decodeSseStream(text).events, [{ a: [1, 2] }]);
  });

  it('removes only one space after "data:"', () => {
    // Two spaces: the second stays, which JSON tolerates; a string payload shows it.
    assert.deepEqual(decodeSseStream('data:  "x"\n\n').events, ['x']);
    assert.deepEqual(decodeSseStream('data:"y"\n\n').events, ['y']);
  });

  it('skips frames without data (heartbeats) and parses an unterminated last frame', () => {
    assert.deepEqual(decodeSseStream('event: ping\n\ndata: {"n":1}\n\ndata: {"n":2}').events, [{ n: 1 }, { n: 2 }]);
  });

  it('ignores a whitespace-only tail', () => {
    assert.deepEqual(decodeSseStream('data: 1\n\n \n').events, [1]);
  });

  it('trims Unicode whitespace around the payload the way Rust does (NEL yes, BOM no)', () => {
    assert.deepEqual(decodeSseStream('data: \u0085[DONE]\u00a0\n\n').events, []);
    const bom = decodeSseStream('data: \ufeff{}\n\n');
    assert.equal(bom.events.length, 0);
    assert.match(bom.error?.message ?? '', /failed to parse SSE data payload/);
  });

  it('stops at a frame whose data is not JSON, keeping the events before it', () => {
    const r = decodeSseStream('data: {"ok":1}\n\ndata: not json\n\ndata: {"ok":2}\n\n');
    assert.deepEqual(r.events, [{ ok: 1 }]);
    assert.equal(r.error?.frameIndex, 1);
    assert.match(r.error?.message ?? '', /not json/);
  });

  it('fails on an empty data payload, as serde does', () => {
    assert.equal(decodeSseStream('data:\n\n').error?.frameIndex, 0);
  });

  it('keeps big integers exact', () => {
    const [event] = decodeSseStream('data: {"created":18446744073709551615}\n\n').events as Array<{ created: JsonNumber }>;
    assert.equal(event.created.text, '18446744073709551615');
  });

  it('reads a JSON error body (no data line) as zero events', () => {
    assert.deepEqual(decodeSseStream('{"error":{"message":"rate limited"}}'), { events: [], done: false });
  });
});
