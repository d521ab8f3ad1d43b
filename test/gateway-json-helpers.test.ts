import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headersFromObject } from '../src/ingest/records/headers.js';
import { observableHeaders } from '../src/gateway/headers.js';
import { gatewayConversationId, gatewayRequestId, requestModelName } from '../src/gateway/identifiers.js';
import { jsonStringAt } from '../src/gateway/json-paths.js';
import { mergeJson, mergeMetadata } from '../src/hooks/merge.js';
import { routeRequest } from '../src/gateway/routes.js';
import { serdeNumberText } from '../src/json/serde-number.js';
import { parseJson } from '../src/json/parse.js';
import { JsonNumber } from '../src/json/value.js';

describe('string-like numbers, as serde_json prints them', () => {
  it('prints integers as integers and floats through ryu', () => {
    const cases: Array<[string, string]> = [
      ['42', '42'],
      ['-7', '-7'],
      ['12.0', '12.0'],
      ['1e3', '1000.0'],
      ['0.5', '0.5'],
      ['1e21', '1e21'],
      ['1.5e-7', '1.5e-7'],
      ['0.0001', '0.0001'],
      ['123456789012345678', '123456789012345678'],
      ['18446744073709551616', '1.8446744073709552e19'],
      ['-0', '-0.0'],
    ];
    for (const [literal, expected] of cases) {
      const v = parseJson(literal) as number | JsonNumber;
      assert.equal(serdeNumberText(v), expected, literal);
    }
  });
});

describe('seed json_string_at', () => {
  it('does not fall through an existing null, object or empty candidate', () => {
    assert.equal(jsonStringAt({ conversation_id: null, conversationId: 'c' }, [['conversation_id'], ['conversationId']]), undefined);
    assert.equal(jsonStringAt({ conversation_id: '', conversationId: 'c' }, [['conversation_id'], ['conversationId']]), undefined);
    assert.equal(jsonStringAt({ conversationId: 'c' }, [['conversation_id'], ['conversationId']]), 'c');
  });

  it('gives the conversation id no body fallback past a null and the request id the transport header last', () => {
    const request = (headers: Record<string, string>, body: object) => ({ headers: headersFromObject(headers), body: body as never });
    assert.equal(gatewayConversationId(request({}, { conversation_id: null, conversationId: 'c' })), undefined);
    assert.equal(gatewayRequestId(request({ 'x-request-id': 't' }, { metadata: { request_id: 'm' } })), 'm');
    assert.equal(gatewayRequestId(request({ 'x-request-id': 't' }, {})), 't');
    assert.equal(requestModelName({ model: '' }), '');
  });
});

describe('metadata merges', () => {
  it('merge_metadata ignores right-hand nulls and pairs non-objects', () => {
    assert.deepEqual(mergeMetadata({ a: 1, b: 2 }, { b: null, c: 3 }), { a: 1, b: 2, c: 3 });
    assert.deepEqual(mergeMetadata(null, { c: 3 }), { c: 3 });
    assert.deepEqual(mergeMetadata({ a: 1 }, null), { a: 1 });
    assert.deepEqual(mergeMetadata('x', { a: 1 }), { metadata: 'x', extra_metadata: { a: 1 } });
  });

  it('merge_json lets right-hand nulls win and non-objects replace', () => {
    assert.deepEqual(mergeJson({ a: 1, b: 2 }, { b: null }), { a: 1, b: null });
    assert.equal(mergeJson({ a: 1 }, 'x'), 'x');
  });
});

describe('routing a request line', () => {
  it('refuses GET on a POST route and HEAD on /models, and matches paths exactly', () => {
    assert.equal(routeRequest('GET', '/v1/messages').kind, 'method-not-allowed');
    assert.equal(routeRequest('HEAD', '/models').kind, 'method-not-allowed');
    assert.equal(routeRequest('GET', '/v1/models').kind, 'models-proxy');
    assert.equal(routeRequest('POST', '/v1/responses/').kind, 'unsupported-path');
    assert.equal(routeRequest('POST', '/messages').kind, 'unsupported-path');
    assert.equal(routeRequest('POST', '/v1/messages').kind, 'llm');
  });
});

describe('observable headers', () => {
  it('keep the last value of a repeated header, trimmed, and drop values outside visible ASCII and invalid names', () => {
    const observed = observableHeaders(headersFromObject({ 'X-Tag': ['first', ' last '], 'x-utf8': 'café', 'bad name': 'v', 'accept-encoding': 'gzip' }));
    assert.deepEqual(observed, { 'x-tag': 'last' });
  });
});
