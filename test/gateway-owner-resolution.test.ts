import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveGatewayCallOwnership } from '../src/gateway/gateway-call.js';
import { buildLlmGatewayStart } from '../src/gateway/llm-start.js';
import { hintMatchScore, type LlmHint } from '../src/gateway/llm-hints.js';
import { resolveLlmOwner, type OwnerState, type OwnerTarget } from '../src/gateway/owner-resolution.js';
import { routeForPath } from '../src/gateway/routes.js';
import { makeExchange } from './fixtures/gateway/make-exchange.js';

const S = 1_000_000_000n;
const NOW = 10_000n * S;
const TASK = 'Refactor the parser module and add tests for it';

function state(over: Partial<OwnerState> = {}): OwnerState {
  return {
    subagents: new Map(),
    rootWorkScopeUuid: 'turn-uuid',
    pendingLlmHints: [],
    pendingToolHints: [],
    requestAffinity: new Map(),
    ...over,
  };
}

const workers = new Map([
  ['w1', { scopeUuid: 'w1-uuid', metadata: { thread_source: 'codex', transcript_path: '/tmp/x', agent_role: null } }],
  ['w2', { scopeUuid: 'w2-uuid' }],
]);
const target = (over: Partial<OwnerTarget> = {}): OwnerTarget => ({ content: { input: 'short' }, ...over });
const hint = (h: Partial<LlmHint>): { hint: LlmHint; insertedAtNs: bigint } => ({ hint: { eventName: 'pre_llm_call', ...h }, insertedAtNs: NOW - S });

describe('LLM owner resolution (§2.6)', () => {
  it('1. explicit: a header naming an active subagent, with its filtered owner metadata', () => {
    const { resolution, state: next } = resolveLlmOwner(state({ subagents: workers }), target({ subagentId: 'w1' }), NOW);
    assert.deepEqual([resolution.rule, resolution.parentScopeUuid, resolution.status, resolution.source], ['EXPLICIT_SUBAGENT', 'w1-uuid', 'explicit', 'gateway_header']);
    assert.deepEqual(resolution.ownerMetadata, { thread_source: 'codex' }, 'transcript_path never, nulls skipped');
    assert.deepEqual(next.stickyOwner, { subagentId: 'w1', updatedAtNs: NOW, source: 'llm' });
  });

  it('2. a single pending hint is consumed whatever its score', () => {
    const { resolution, state: next } = resolveLlmOwner(state({ subagents: workers, pendingLlmHints: [hint({ agentId: 'w2', requestId: 'hint-req' })] }), target(), NOW);
    assert.deepEqual([resolution.rule, resolution.subagentId, resolution.status, resolution.source], ['SINGLE_HINT', 'w2', 'single_hint', 'pre_llm_call']);
    assert.equal(resolution.hint?.requestId, 'hint-req');
    assert.equal(next.pendingLlmHints.length, 0);
  });

  it('3. the unique best-scoring hint among several; ties fall through and leave the hints pending', () => {
    const hints = [hint({ subagentId: 'w1', model: 'm' }), hint({ subagentId: 'w2', conversationId: 'c' })];
    const { resolution, state: next } = resolveLlmOwner(state({ subagents: workers, pendingLlmHints: hints }), target({ conversationId: 'c', modelName: 'm' }), NOW);
    assert.deepEqual([resolution.rule, resolution.subagentId], ['MATCHED_HINT', 'w2']);
    assert.equal(next.pendingLlmHints.length, 1);
    const tied = resolveLlmOwner(state({ subagents: workers, pendingLlmHints: hints }), target({ modelName: 'x' }), NOW);
    assert.deepEqual([tied.resolution.rule, tied.resolution.status], ['FALLBACK', 'ambiguous_fallback']);
    assert.equal(tied.state.pendingLlmHints.length, 2);
  });

  it('a root-owned hint attaches to the turn and clears the sticky owner', () => {
    const sticky = { subagentId: 'w1', updatedAtNs: NOW - S, source: 'llm' as const };
    const { resolution, state: next } = resolveLlmOwner(state({ subagents: workers, stickyOwner: sticky, pendingLlmHints: [hint({})] }), target(), NOW);
    assert.deepEqual([resolution.parentScopeUuid, resolution.subagentId], ['turn-uuid', undefined]);
    assert.equal(next.stickyOwner, undefined);
  });

  it('4. request affinity maps the task text to a still-active subagent; a gone owner is forgotten', () => {
    const affinity = new Map([[TASK, 'w2']]);
    const { resolution } = resolveLlmOwner(state({ subagents: workers, requestAffinity: affinity }), target({ content: { messages: [{ role: 'user', content: TASK }] } }), NOW);
    assert.deepEqual([resolution.rule, resolution.status, resolution.source, resolution.subagentId], ['REQUEST_AFFINITY', 'request_affinity', 'request_payload', 'w2']);
    const gone = resolveLlmOwner(state({ requestAffinity: affinity }), target({ content: { input: TASK } }), NOW);
    assert.equal(gone.resolution.rule, 'FALLBACK');
    assert.equal(gone.state.requestAffinity.has(TASK), false);
  });

  it('5. the sticky owner, reported by how it was set', () => {
    for (const [source, status, src] of [
      ['llm', 'sticky_last_owner', undefined],
      ['tool', 'recent_tool_owner', 'tool_owner'],
      ['subagent-start', 'subagent_start', 'subagent_start'],
    ] as const) {
      const { resolution } = resolveLlmOwner(state({ subagents: workers, stickyOwner: { subagentId: 'w2', updatedAtNs: NOW, source } }), target(), NOW);
      assert.deepEqual([resolution.rule, resolution.status, resolution.source], ['STICKY_OWNER', status, src]);
    }
  });

  it('6. the sole active subagent becomes the sticky owner; 7. otherwise the turn', () => {
    const sole = resolveLlmOwner(state({ subagents: new Map([['w2', { scopeUuid: 'w2-uuid' }]]) }), target(), NOW);
    assert.deepEqual([sole.resolution.rule, sole.resolution.status, sole.state.stickyOwner?.subagentId], ['SOLE_SUBAGENT', 'active_subagent', 'w2']);
    const none = resolveLlmOwner(state({ subagents: workers }), target(), NOW);
    assert.deepEqual([none.resolution.rule, none.resolution.status, none.resolution.parentScopeUuid], ['FALLBACK', 'agent_fallback', 'turn-uuid']);
    assert.deepEqual(
      none.resolution.skipped.map((s) => s.rule),
      ['EXPLICIT_SUBAGENT', 'SINGLE_HINT', 'MATCHED_HINT', 'REQUEST_AFFINITY', 'STICKY_OWNER', 'SOLE_SUBAGENT'],
    );
  });

  it('drops hints older than 300 s (300 s exactly is kept) and a sticky owner strictly older than 300 s', () => {
    const old = { hint: { eventName: 'old' }, insertedAtNs: NOW - 301n * S };
    const edge = { hint: { eventName: 'edge' }, insertedAtNs: NOW - 300n * S };
    const { resolution } = resolveLlmOwner(state({ pendingLlmHints: [old, edge] }), target(), NOW);
    assert.equal(resolution.source, 'edge');
    const expired = resolveLlmOwner(state({ subagents: workers, stickyOwner: { subagentId: 'w1', updatedAtNs: NOW - 300n * S - 1n, source: 'tool' } }), target(), NOW);
    assert.equal(expired.resolution.rule, 'FALLBACK');
    const tools = resolveLlmOwner(state({ pendingToolHints: [{ insertedAtNs: NOW - 301n * S }, { insertedAtNs: NOW }] }), target(), NOW);
    assert.equal(tools.state.pendingToolHints.length, 1);
  });

  it('scores hints: subagent 8, ids 4 each, model 1, only when both sides are present', () => {
    assert.equal(hintMatchScore({ eventName: 'e', agentId: 'w', conversationId: 'c', generationId: 'g', requestId: 'r', model: 'm' }, { subagentId: 'w', conversationId: 'c', generationId: 'g', requestId: 'r', modelName: 'm' }), 21);
    assert.equal(hintMatchScore({ eventName: 'e' }, {}), 0);
  });
});

describe('resolveGatewayCallOwnership', () => {
  it('says where an explicit subagent id that names no active subagent came from: the header or a Codex thread_id', () => {
    const codexSpawn = { input: 'x', client_metadata: { 'x-codex-installation-id': 'install-1', 'x-openai-subagent': 'collab_spawn', thread_id: 'child-thread' } };
    const reason = (headers: Record<string, string>) => {
      const start = buildLlmGatewayStart(makeExchange({ path: '/v1/responses', headers, body: codexSpawn }), routeForPath('/v1/responses')!, { codexClientMetadataSession: true });
      return resolveGatewayCallOwnership(state({ subagents: workers }), start, NOW).resolution.skipped[0];
    };
    assert.deepEqual(reason({}), { rule: 'EXPLICIT_SUBAGENT', reason: 'subagent child-thread (from the Codex client_metadata.thread_id) is not active' });
    assert.deepEqual(reason({ 'x-nemo-relay-subagent-id': 'gone' }), { rule: 'EXPLICIT_SUBAGENT', reason: 'subagent gone (from the x-nemo-relay-subagent-id header) is not active' });
  });

  it('builds the start metadata from gateway_path, correlation and owner metadata, and learns affinity', () => {
    const exchange = makeExchange({ path: '/v1/messages', headers: { 'x-nemo-relay-subagent-id': 'w1' }, body: { messages: [{ role: 'user', content: TASK }] } });
    const start = buildLlmGatewayStart(exchange, routeForPath('/v1/messages')!);
    const { metadata, state: next } = resolveGatewayCallOwnership(state({ subagents: workers }), start, NOW);
    assert.deepEqual(metadata, {
      gateway_path: '/v1/messages',
      llm_correlation_status: 'explicit',
      llm_correlation_source: 'gateway_header',
      llm_correlation_subagent_id: 'w1',
      thread_source: 'codex',
    });
    assert.equal(next.requestAffinity.get(TASK), 'w1');
  });

  it('records the consumed hint identifiers, not the request ones', () => {
    const exchange = makeExchange({ path: '/v1/chat/completions', headers: { 'x-nemo-relay-request-id': 'req-from-request' }, body: {} });
    const start = buildLlmGatewayStart(exchange, routeForPath('/v1/chat/completions')!);
    const snapshot = state({ pendingLlmHints: [hint({ requestId: 'req-from-hint', conversationId: 'c', agentType: 'explorer' })] });
    const { metadata } = resolveGatewayCallOwnership(snapshot, start, NOW);
    assert.deepEqual(metadata, {
      gateway_path: '/v1/chat/completions',
      llm_correlation_status: 'single_hint',
      llm_correlation_source: 'pre_llm_call',
      llm_correlation_conversation_id: 'c',
      llm_correlation_request_id: 'req-from-hint',
      llm_correlation_agent_type: 'explorer',
    });
  });
});
