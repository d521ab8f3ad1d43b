import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gatewayLlmEvents, llmEndTimestampNs, llmStartPayload } from '../src/gateway/llm-events.js';
import { buildLlmGatewayStart } from '../src/gateway/llm-start.js';
import { routeForPath } from '../src/gateway/routes.js';
import { gatewayCallOutcome } from '../src/gateway/upstream-outcome.js';
import type { GatewayExchange } from '../src/ingest/records/exchange.js';
import type { Json } from '../src/json/value.js';
import { makeExchange } from './fixtures/gateway/make-exchange.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function events(exchange: GatewayExchange, metadata?: Json) {
  const route = routeForPath(exchange.path);
  assert.ok(route);
  const start = buildLlmGatewayStart(exchange, route);
  return { start, outcome: gatewayCallOutcome(exchange, start), events: gatewayLlmEvents(start, gatewayCallOutcome(exchange, start), metadata) };
}

const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], session_id: 'hermes-1' };

describe('LLM start event', () => {
  it('carries the provider name, recorded headers, the body, gateway_path and the model', () => {
    const exchange = makeExchange({
      path: '/v1/chat/completions',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-x', Host: 'localhost', 'X-Trace': ' t1 ' },
      body: chatBody,
    });
    const start = llmStartPayload(buildLlmGatewayStart(exchange, routeForPath('/v1/chat/completions')!));
    assert.deepEqual(start, {
      kind: 'scope',
      scope_category: 'start',
      category: 'llm',
      name: 'openai.chat_completions',
      attributes: [],
      data: { headers: { 'content-type': 'application/json', 'x-trace': 't1' }, content: chatBody },
      metadata: { gateway_path: '/v1/chat/completions' },
      category_profile: { model_name: 'gpt-4o' },
    });
  });

  it('marks streaming calls, omits model_name without a string model, and carries a non-JSON body as null', () => {
    const streamed = llmStartPayload(buildLlmGatewayStart(makeExchange({ path: '/v1/messages', body: { model: 7, stream: true } }), routeForPath('/v1/messages')!));
    assert.deepEqual(streamed.attributes, ['streaming']);
    assert.deepEqual(streamed.category_profile, {});
    const notJson = llmStartPayload(buildLlmGatewayStart(makeExchange({ path: '/v1/messages', body: undefined }), routeForPath('/v1/messages')!));
    assert.deepEqual(notJson.data, { headers: {}, content: null });
  });

  it('treats "stream": "true" (a string) as not streaming', () => {
    const { start } = events(makeExchange({ path: '/v1/responses', body: { stream: 'true' }, response: { body: {} } }));
    assert.equal(start.streaming, false);
  });

  it('takes the metadata the session layer computed', () => {
    const { events: e } = events(makeExchange({ path: '/v1/responses', body: {}, response: { body: { id: 'r' } } }), { gateway_path: '/v1/responses', llm_correlation_status: 'agent_fallback' });
    assert.deepEqual(e?.start.metadata, { gateway_path: '/v1/responses', llm_correlation_status: 'agent_fallback' });
    assert.deepEqual(e?.end?.metadata, e?.start.metadata);
  });
});

describe('LLM end event (§2.8.3)', () => {
  it('2xx JSON: the response is the end data and the value for response hints', () => {
    const response = { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' } }] };
    const { events: e } = events(makeExchange({ path: '/v1/chat/completions', body: chatBody, response: { status: 200, body: response } }));
    assert.deepEqual(e?.end, {
      ...e?.start,
      scope_category: 'end',
      data: response,
      category_profile: {
        model_name: 'gpt-4o',
        annotated_response: { id: 'chatcmpl-1', message: 'hello', api_specific: { api: 'openai_chat' } },
      },
    });
    assert.deepEqual(e?.responseForHints, response);
    assert.deepEqual(e?.chunks, []);
  });

  it('non-2xx JSON (buffered): the error body is a normal result', () => {
    const error = { error: { type: 'rate_limit_error', message: 'slow down' } };
    const { outcome, events: e } = events(makeExchange({ path: '/v1/messages', body: {}, response: { status: 429, body: error } }));
    assert.equal(outcome.kind === 'buffered' && outcome.status, 429);
    assert.deepEqual(e?.end?.data, error);
  });

  it('non-JSON body (buffered): {"body_bytes": n}', () => {
    const { events: e } = events(makeExchange({ path: '/v1/messages', body: {}, response: { status: 502, bodyText: '<html>bad</html>', bodyBytes: 16 } }));
    assert.deepEqual(e?.end?.data, { body_bytes: 16 });
  });

  it('a JSON null body gives an end with data null', () => {
    const { events: e } = events(makeExchange({ path: '/v1/messages', body: {}, response: { status: 200, body: null, bodyText: 'null', bodyBytes: 4 } }));
    assert.equal(e?.end?.data, null);
  });

  it('an SSE body on a non-streaming request is not JSON to the buffered path', () => {
    const sse = 'data: {}\n\n';
    const { events: e } = events(makeExchange({ path: '/v1/chat/completions', body: chatBody, response: { sseText: sse, bodyText: sse, bodyBytes: 10 } }));
    assert.deepEqual(e?.end?.data, { body_bytes: 10 });
  });

  it('connection failure: end with data null and no response hints', () => {
    const { outcome, events: e } = events(makeExchange({ path: '/v1/responses', body: {}, response: null, error: 'connection refused' }));
    assert.deepEqual(outcome, { kind: 'transport-error', message: 'connection refused' });
    assert.equal(e?.end?.data, null);
    assert.equal(e?.responseForHints, undefined);
  });

  it('a buffered body cut mid-read is a transport failure', () => {
    const { outcome } = events(makeExchange({ path: '/v1/responses', body: {}, response: { body: {}, error: 'body read error' } }));
    assert.equal(outcome.kind, 'transport-error');
  });

  it('streaming OK: one llm.chunk mark per chunk, then the assembled response', () => {
    const sse = fixture('anthropic-messages.sse');
    const { events: e } = events(makeExchange({ path: '/v1/messages', body: { model: 'claude-sonnet-4-5', stream: true }, response: { sseText: sse, bodyText: sse } }));
    assert.equal(e?.chunks.length, 13);
    assert.deepEqual(e?.chunks[0], {
      kind: 'mark',
      name: 'llm.chunk',
      data: { chunk_index: 0, provider: 'anthropic_messages', event_type: 'message_start', usage: { prompt_tokens: 25, completion_tokens: 1, total_tokens: 26, cache_read_tokens: 5, cache_write_tokens: 10 } },
    });
    const end = e?.end?.data as { content: Array<{ type: string }>; stop_reason: string };
    assert.deepEqual(end.content.map((b) => b.type), ['text', 'tool_use']);
    assert.equal(end.stop_reason, 'tool_use');
    assert.deepEqual(e?.end?.attributes, ['streaming']);
    assert.deepEqual(e?.responseForHints, e?.end?.data);
  });

  it('streaming non-2xx: the JSON error body yields no chunks and the empty aggregate (seed quirk)', () => {
    const errorText = '{"error":{"message":"bad key"}}';
    for (const [path, empty] of [
      ['/v1/chat/completions', { choices: [] }],
      ['/v1/responses', {}],
      ['/v1/messages', { content: [] }],
    ] as const) {
      const { events: e } = events(makeExchange({ path, body: { stream: true }, response: { status: 401, bodyText: errorText, body: JSON.parse(errorText), bodyBytes: errorText.length } }));
      assert.deepEqual(e?.chunks, [], path);
      assert.deepEqual(e?.end?.data, empty, path);
    }
  });

  it('a stream that breaks on a malformed frame still ends, with the partial aggregate', () => {
    const sse = 'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"par"}}]}\n\ndata: {oops\n\n';
    const { outcome, events: e } = events(makeExchange({ path: '/chat/completions', body: { stream: true }, response: { sseText: sse } }));
    assert.match(outcome.kind === 'streamed' ? (outcome.streamError ?? '') : '', /failed to parse SSE data payload/);
    assert.equal((e?.end?.data as { choices: Array<{ message: { content: string } }> }).choices[0].message.content, 'par');
  });

  it('count_tokens with "stream": true is unmanaged: no LLM events at all', () => {
    const { outcome, events: e } = events(makeExchange({ path: '/v1/messages/count_tokens', body: { stream: true }, response: { body: { input_tokens: 3 } } }));
    assert.deepEqual(outcome, { kind: 'unmanaged-stream' });
    assert.equal(e, undefined);
  });

  it('count_tokens without streaming is a full LLM span, without annotation (no codec)', () => {
    const { events: e } = events(makeExchange({ path: '/v1/messages/count_tokens', body: { model: 'claude' }, response: { body: { input_tokens: 3 } } }));
    assert.equal(e?.start.name, 'anthropic.count_tokens');
    assert.deepEqual(e?.end?.data, { input_tokens: 3 });
    assert.deepEqual(e?.end?.category_profile, { model_name: 'claude' });
  });

  it('annotates the non-JSON placeholder too, and nothing when there is no output', () => {
    const { events: bytes } = events(makeExchange({ path: '/v1/messages', body: {}, response: { status: 502, bodyText: 'x', bodyBytes: 1 } }));
    assert.deepEqual(bytes?.end?.category_profile, { annotated_response: { api_specific: { api: 'anthropic_messages' }, body_bytes: 1 } });
    const { events: failed } = events(makeExchange({ path: '/v1/messages', body: {}, response: null, error: 'refused' }));
    assert.deepEqual(failed?.end?.category_profile, {});
  });

  it('a call that never completed (no ended_at) has a start and no end', () => {
    const { outcome, events: e } = events(makeExchange({ path: '/v1/responses', body: {}, response: { body: {} }, ended: false }));
    assert.equal(outcome.kind, 'incomplete');
    assert.ok(e?.start);
    assert.equal(e?.end, undefined);
  });
});

describe('LLM end timestamp', () => {
  it('is the completion, kept strictly after the start (start + 1 µs otherwise)', () => {
    assert.equal(llmEndTimestampNs({ startedNs: 10n, endedNs: 5_000n }), 5_000n);
    assert.equal(llmEndTimestampNs({ startedNs: 10n, endedNs: 10n }), 1_010n);
    assert.equal(llmEndTimestampNs({ startedNs: 10n, endedNs: undefined }), 1_010n);
  });
});
