/** Hermes LLM hook events (relay-cli.md §1.4 "Hermes LLM events", §1.6) beyond the ported A19–A22. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json, JsonObject } from '../src/json/value.js';
import { adapt, eventOf } from './fixtures/hooks/harness.js';

const start = (extra: JsonObject, top: JsonObject = {}) =>
  eventOf(adapt('hermes', { hook_event_name: 'pre_api_request', session_id: 'h1', ...top, extra }), 'LlmStarted');
const end = (extra: JsonObject, name = 'post_api_request') =>
  eventOf(adapt('hermes', { hook_event_name: name, session_id: 'h1', extra }), 'LlmEnded');

describe('Hermes LLM identity', () => {
  it('§1.6 illustrative payload: composed api_call_id, provider, model, summary request', () => {
    const event = start({ task_id: 't1', api_call_count: 2, model: 'qwen', provider: 'custom' });
    assert.equal(event.apiCallId, 'h1:t1:2');
    assert.equal(event.provider, 'custom');
    assert.equal(event.modelName, 'qwen');
    assert.deepEqual(event.request, {
      task_id: 't1', session_id: 'h1', api_call_count: 2, model: 'qwen', provider: 'custom',
      fidelity: { provider_payload_exact: false, source: 'hermes_pre_api_request' },
    });
    assert.deepEqual(event.metadata, {
      agent_kind: 'hermes', hook_event_name: 'pre_api_request', api_call_id: 'h1:t1:2', provider_payload_exact: false,
      fidelity_source: 'hermes_api_hooks',
    });
    assert.equal(event.classification.rule, 'hermes.pre_api_request');
  });

  it('api_call_id: api_request_id wins; composed parts may be empty', () => {
    assert.equal(start({ api_request_id: 77, task_id: 't' }).apiCallId, '77');
    assert.equal(start({}).apiCallId, 'h1::');
    assert.equal(start({ api_call_count: 5 }).apiCallId, 'h1::5');
    const anonymous = eventOf(adapt('hermes', { hook_event_name: 'pre_api_request' }), 'LlmStarted');
    assert.match(anonymous.apiCallId, /^hook-[0-9a-f-]{36}::$/);
    assert.equal(anonymous.apiCallId, `${anonymous.sessionId}::`);
  });

  it('provider: provider, then api_mode, then hermes_api_request; a top-level null hides extra', () => {
    assert.equal(start({ api_mode: 'chat_completions' }).provider, 'chat_completions');
    assert.equal(start({}).provider, 'hermes_api_request');
    assert.equal(start({ provider: 'hidden', api_mode: 'responses' }, { provider: null }).provider, 'responses');
  });

  it('model: response_model before model; absent when neither', () => {
    assert.equal(end({ model: 'asked', response_model: 'served' }).modelName, 'served');
    assert.equal('modelName' in start({}), false);
  });
});

describe('Hermes summaries (old Hermes, or no usable exact payload)', () => {
  const requestKeys = ['task_id', 'session_id', 'platform', 'model', 'provider', 'base_url', 'api_mode', 'api_call_count', 'message_count',
    'tool_count', 'approx_input_tokens', 'request_char_count', 'max_tokens'];
  const responseKeys = ['task_id', 'session_id', 'platform', 'model', 'provider', 'base_url', 'api_mode', 'api_call_count', 'api_duration',
    'finish_reason', 'message_count', 'response_model', 'usage', 'assistant_content_chars', 'assistant_tool_call_count', 'status_code',
    'retry_count', 'max_retries', 'retryable', 'reason', 'error'];
  const everything: JsonObject = Object.fromEntries([...requestKeys, ...responseKeys, 'unlisted'].map((key) => [key, `v-${key}`]));

  it('the request summary holds exactly its thirteen keys (null values included) plus the fidelity marker', () => {
    const event = eventOf(adapt('hermes', { hook_event_name: 'pre_api_request', extra: { ...everything, platform: null } }), 'LlmStarted');
    const expected: JsonObject = Object.fromEntries(requestKeys.map((key) => [key, `v-${key}`]));
    expected.platform = null;
    expected.fidelity = { provider_payload_exact: false, source: 'hermes_pre_api_request' };
    assert.deepEqual(event.request, expected);
  });

  it('the response summary holds exactly its twenty-one keys, top level before extra', () => {
    const event = eventOf(adapt('hermes', { hook_event_name: 'post_api_request', reason: 'top', extra: everything }), 'LlmEnded');
    const expected: JsonObject = Object.fromEntries(responseKeys.map((key) => [key, `v-${key}`]));
    expected.reason = 'top';
    assert.deepEqual(event.response, expected);
  });
});

describe('Hermes exact request', () => {
  it('uses request.body, or the whole request when it has no usable body', () => {
    assert.deepEqual(start({ request: { body: { messages: [] } } }).request, { messages: [] });
    assert.deepEqual(start({ request: { method: 'POST', body: null } }).request, { method: 'POST', body: null });
    assert.deepEqual(start({ request: { messages: ['m'] } }).request, { messages: ['m'] });
    assert.equal(start({ request: { body: {} } }).metadata.provider_payload_exact, true);
  });

  it('falls back to the lossy summary for a truncated request', () => {
    const event = start({ request: { _truncated: true, body: { messages: [] } }, message_count: 9 });
    assert.deepEqual(event.request, { message_count: 9, session_id: 'h1', fidelity: { provider_payload_exact: false, source: 'hermes_pre_api_request' } });
    assert.equal(event.metadata.provider_payload_exact, false);
    assert.equal(event.metadata.fidelity_source, 'hermes_api_hooks');
    // `_truncated` must be the boolean true; anything else is not a truncation marker.
    assert.equal(start({ request: { _truncated: 'yes', body: 1 } }).request, 1);
  });
});

describe('Hermes exact response', () => {
  it('prefers an untruncated raw_response', () => {
    const raw = { id: 'chatcmpl-1', choices: [] };
    const event = end({ response: { raw_response: raw, assistant_message: { content: 'x' } } });
    assert.deepEqual(event.response, raw);
    assert.equal(event.metadata.provider_payload_exact, true);
    assert.equal(event.metadata.fidelity_source, 'hermes_api_hooks_sanitized');
  });

  it('skips a null or truncated raw_response and keeps a response that already looks like a provider body', () => {
    for (const key of ['choices', 'output', 'content']) {
      const response: JsonObject = { raw_response: { _truncated: true }, [key]: [] };
      assert.deepEqual(end({ response }).response, response, key);
    }
    assert.deepEqual(end({ response: { raw_response: null, content: 'c' } }).response, { raw_response: null, content: 'c' });
  });

  it('rebuilds from assistant_message, taking usage, model and finish_reason from the response, else the payload', () => {
    const event = end({
      usage: { total_tokens: 3 }, finish_reason: 'stop', model: 'payload-model',
      response: { assistant_message: { content: 'hello', role: 'assistant' }, model: null },
    });
    assert.deepEqual(event.response, { content: 'hello', usage: { total_tokens: 3 }, model: null, finish_reason: 'stop' });
  });

  it('treats an empty rebuild, a truncated or null response, or no assistant message as inexact (summary)', () => {
    const summaries: [JsonObject, Json][] = [
      [{ response: { assistant_message: {} } }, { session_id: 'h1' }],
      [{ response: { _truncated: true, choices: [] }, status_code: 200 }, { session_id: 'h1', status_code: 200 }],
      [{ response: null, api_duration: 1.5 }, { session_id: 'h1', api_duration: 1.5 }],
      [{ response: { other: 1 }, usage: { u: 1 } }, { session_id: 'h1', usage: { u: 1 } }],
    ];
    for (const [extra, summary] of summaries) {
      const event = end(extra);
      assert.deepEqual(event.response, summary, JSON.stringify(extra));
      assert.equal(event.metadata.provider_payload_exact, false);
    }
  });

  it('api_request_error is never exact, even when it carries a usable response body', () => {
    const event = end({ response: { choices: [] }, status_code: 500 }, 'api_request_error');
    assert.deepEqual(event.response, { choices: [] });
    assert.equal(event.metadata.provider_payload_exact, false);
    assert.equal(event.classification.rule, 'hermes.api_request_error');
  });

  it('a start carries a response summary and an end a request summary, as the reference builds both', () => {
    assert.deepEqual(start({ task_id: 't' }).response, { session_id: 'h1', task_id: 't' });
    const endRequest = end({ tool_count: 2 }).request as JsonObject;
    assert.equal(endRequest.tool_count, 2);
    assert.deepEqual(endRequest.fidelity, { provider_payload_exact: false, source: 'hermes_pre_api_request' });
  });
});
