import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headersFromObject } from '../src/ingest/records/headers.js';
import { isForwardedRequestHeader, isRecordedHeader, observableHeaders } from '../src/gateway/headers.js';
import { gatewayIdentifier } from '../src/gateway/identifiers.js';
import { buildLlmGatewayStart, prepareGatewayExchange } from '../src/gateway/llm-start.js';
import { routeForKind, routeForPath, type GatewayRouteKind } from '../src/gateway/routes.js';
import { resolveGatewaySession } from '../src/gateway/session-chain.js';
import type { Json } from '../src/json/value.js';
import { makeExchange } from './fixtures/gateway/make-exchange.js';

/**
 * Ports of NeMo-Relay `crates/cli/tests/coverage/gateway_tests.rs` (relay-cli.md §4.5) that apply
 * offline, one test each, named after the Rust test. The others are listed with the reason in
 * test/gateway-not-applicable.md.
 */

const sessionId = (headers: Record<string, string>, body: Json, route: GatewayRouteKind) =>
  resolveGatewaySession({ headers: headersFromObject(headers), body }, route).sessionId;

describe('gateway_tests.rs', () => {
  it('removes_hop_by_hop_headers', () => {
    assert.equal(isForwardedRequestHeader('connection'), false);
    assert.equal(isForwardedRequestHeader('host'), false);
    assert.equal(isForwardedRequestHeader('authorization'), true);
    assert.equal(isRecordedHeader('authorization'), false);
    assert.equal(isRecordedHeader('x-api-key'), false);
    assert.equal(isRecordedHeader('anthropic-api-key'), false);
    assert.equal(isRecordedHeader('cookie'), false);
    assert.equal(isRecordedHeader('api-key'), false);
    assert.equal(isRecordedHeader('x-request-id'), true);
  });

  it('selects_provider_routes', () => {
    assert.equal(routeForPath('/responses')?.kind, 'OpenAiResponses');
    assert.equal(routeForPath('/v1/responses')?.kind, 'OpenAiResponses');
    assert.equal(routeForPath('/v1/messages/count_tokens')?.kind, 'AnthropicCountTokens');
    assert.equal(routeForPath('/v1/chat/completions')?.provider, 'openai.chat_completions');
    assert.equal(routeForPath('/models')?.kind, 'OpenAiModels');
    assert.equal(routeForKind('OpenAiModels').provider, 'openai.models');
    assert.equal(routeForKind('AnthropicMessages').provider, 'anthropic.messages');
    assert.equal(routeForKind('AnthropicCountTokens').provider, 'anthropic.count_tokens');
    for (const kind of ['OpenAiResponses', 'OpenAiChatCompletions', 'OpenAiModels', 'AnthropicMessages', 'AnthropicCountTokens'] as const) {
      assert.equal(routeForKind(kind).kind, kind, 'route kinds map one to one');
    }
    assert.equal(routeForPath('/unsupported'), undefined);
  });

  it('gateway_session_id_prefers_headers_and_has_fallbacks', () => {
    const codexBody = { prompt_cache_key: 'codex-session', client_metadata: { 'x-codex-installation-id': 'install-1' }, session_id: 'body-session' };
    const headers: Record<string, string> = { 'anthropic-beta': 'prompt-caching-2024-07-31' };
    assert.equal(sessionId(headers, null, 'AnthropicMessages'), undefined);
    headers['x-claude-code-session-id'] = 'claude-session';
    assert.equal(sessionId(headers, codexBody, 'OpenAiResponses'), 'claude-session');
    headers['x-nemo-relay-session-id'] = 'explicit-session';
    assert.equal(sessionId(headers, codexBody, 'OpenAiResponses'), 'explicit-session');
    assert.equal(sessionId({}, codexBody, 'OpenAiResponses'), 'codex-session');
    assert.equal(sessionId({}, { prompt_cache_key: 'plain-cache-key' }, 'OpenAiResponses'), undefined);
    assert.equal(sessionId({}, codexBody, 'OpenAiChatCompletions'), 'body-session');
    assert.equal(sessionId({}, { session_id: ' body-session ' }, 'OpenAiResponses'), 'body-session');
    assert.equal(sessionId({}, { session_id: 'body-session' }, 'AnthropicMessages'), undefined);
  });

  it('gateway_identifiers_accept_headers_and_scalar_body_values', () => {
    const body = { conversation: { id: 42 }, generation: { id: true }, request: { id: 'req-body' }, object: { id: { nested: true } } };
    const withHeader = { headers: headersFromObject({ 'x-nemo-relay-request-id': 'req-header' }), body };
    const without = { headers: headersFromObject({}), body };
    assert.equal(gatewayIdentifier(withHeader, 'x-nemo-relay-request-id', [['request', 'id']]), 'req-header');
    assert.equal(gatewayIdentifier(without, 'missing', [['conversation', 'id']]), '42');
    assert.equal(gatewayIdentifier(without, 'missing', [['generation', 'id']]), 'true');
    assert.equal(gatewayIdentifier(without, 'missing', [['object', 'id']]), undefined);
  });

  it('build_llm_gateway_start_uses_alignment_identifiers_and_metadata', () => {
    const body = {
      model: 'gpt-test',
      stream: true,
      prompt_cache_key: 'codex-thread',
      client_metadata: { 'x-codex-installation-id': 'install-1' },
      conversation_id: 'conversation-1',
      generation: { id: 'generation-1' },
    };
    const exchange = makeExchange({
      path: '/responses',
      headers: { 'x-nemo-relay-subagent-id': 'worker-1', 'x-request-id': 'transport-req', authorization: 'Bearer secret' },
      body,
    });
    const start = buildLlmGatewayStart(exchange, routeForKind('OpenAiResponses'));
    assert.equal(start.sessionId, 'codex-thread');
    assert.equal(start.provider, 'openai.responses');
    assert.equal(start.modelName, 'gpt-test');
    assert.equal(start.subagentId, 'worker-1');
    assert.equal(start.conversationId, 'conversation-1');
    assert.equal(start.generationId, 'generation-1');
    assert.equal(start.requestId, 'transport-req');
    assert.equal(start.streaming, true);
    assert.deepEqual(start.metadata, { gateway_path: '/responses' });
    assert.deepEqual(start.request.content, body);
    assert.equal('authorization' in start.request.headers, false, 'observable headers should not leak auth secrets');
  });

  it('observable_headers_omit_secrets_and_transport_headers', () => {
    const observed = observableHeaders(headersFromObject({ authorization: 'Bearer secret', 'x-api-key': 'secret', connection: 'close', 'x-request-id': 'req-1' }));
    assert.deepEqual(observed, { 'x-request-id': 'req-1' });
  });

  it('passthrough_rejects_unsupported_provider_path_directly', () => {
    const prepared = prepareGatewayExchange(makeExchange({ path: '/unsupported' }));
    assert.equal(prepared.kind, 'unsupported-path');
    assert.match(prepared.kind === 'unsupported-path' ? prepared.message : '', /unsupported gateway path/);
  });

  it('models_rejects_non_get_requests_directly', () => {
    const prepared = prepareGatewayExchange(makeExchange({ path: '/v1/models', method: 'POST' }));
    assert.deepEqual(prepared.kind, 'method-not-allowed');
  });
});
