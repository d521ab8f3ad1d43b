import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildLlmGatewayStart } from '../src/gateway/llm-start.js';
import { routeForPath } from '../src/gateway/routes.js';
import { aliasStep, applyStartAlias, selectGatewaySession, type SessionAlias } from '../src/gateway/session-selection.js';
import { makeExchange } from './fixtures/gateway/make-exchange.js';

const alias: SessionAlias = { parentSessionId: 'parent', subagentId: 'child-thread', metadata: { thread_source: 'codex_child', dropped: null } };

describe('gateway session selection (§2.5)', () => {
  it('rewrites an aliased child session to its parent, its subagent and the alias metadata', () => {
    const step = aliasStep('child', new Map([['child', alias]]), new Set());
    assert.deepEqual(step, { kind: 'alias', alias });
    const exchange = makeExchange({ path: '/v1/responses', headers: { 'x-nemo-relay-session-id': 'child', 'x-nemo-relay-subagent-id': 'header-sub' }, body: {} });
    const start = applyStartAlias(buildLlmGatewayStart(exchange, routeForPath('/v1/responses')!), alias);
    assert.equal(start.sessionId, 'parent');
    assert.equal(start.subagentId, 'child-thread', 'the alias overrides the header subagent');
    assert.deepEqual(start.metadata, { gateway_path: '/v1/responses', thread_source: 'codex_child' });
  });

  it('asks for promotion when a pending child start waits for the id, and does nothing otherwise', () => {
    assert.deepEqual(aliasStep('child', new Map(), new Set(['child'])), { kind: 'promote-pending', childSessionId: 'child' });
    assert.deepEqual(aliasStep('other', new Map([['child', alias]]), new Set(['child'])), { kind: 'no-alias' });
    assert.deepEqual(aliasStep(undefined, new Map([['child', alias]]), new Set()), { kind: 'no-session-id' });
  });

  it('uses the session id, creating the session with the provider-inferred agent kind', () => {
    assert.deepEqual(selectGatewaySession('s1', new Set(['s1']), 'openai.responses'), { sessionKey: 's1', rule: 'SESSION_ID', createsSession: false });
    assert.deepEqual(selectGatewaySession('new', new Set(['s1']), 'anthropic.messages'), { sessionKey: 'new', rule: 'SESSION_ID', createsSession: true, agentKind: 'claude-code' });
    assert.equal(selectGatewaySession('new', new Set(), 'anthropic.count_tokens').agentKind, 'claude-code');
    assert.equal(selectGatewaySession('new', new Set(), 'openai.responses').agentKind, 'codex');
    assert.equal(selectGatewaySession('new', new Set(), 'openai.chat_completions').agentKind, 'gateway');
  });

  it('without a session id joins the only session, whatever it is', () => {
    assert.deepEqual(selectGatewaySession(undefined, new Set(['hermes-1']), 'openai.chat_completions'), { sessionKey: 'hermes-1', rule: 'SINGLE_ACTIVE_SESSION', createsSession: false });
  });

  it('without a session id and zero or several sessions uses gateway-gateway', () => {
    assert.deepEqual(selectGatewaySession(undefined, new Set(), 'openai.chat_completions'), { sessionKey: 'gateway-gateway', rule: 'GATEWAY_FALLBACK_SESSION', createsSession: true, agentKind: 'gateway' });
    assert.deepEqual(selectGatewaySession(undefined, new Set(['a', 'gateway-gateway']), 'openai.responses'), { sessionKey: 'gateway-gateway', rule: 'GATEWAY_FALLBACK_SESSION', createsSession: false });
  });
});
