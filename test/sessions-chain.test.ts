/**
 * The gateway session chain (relay-cli.md §2.3, §2.5) through the whole offline replay: NDJSON
 * records in, the session each LLM span lands in and the recorded attribution out. One test per
 * link, plus the negative cases PR #189 (the seed) fixed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AtofEvent } from '../src/ingest/atof.js';
import type { JsonObject } from '../src/json/value.js';
import type { GatewayAttribution } from '../src/sessions/attribution.js';
import type { ReplayResult } from '../src/sessions/replay.js';
import { gatewayRecord, hookRecord, replayLines } from './fixtures/sessions/records.js';

/** The session id on the turn an LLM span sits in (the turn scope metadata carries it). */
function sessionOfLlm(result: ReplayResult, attribution: GatewayAttribution): string {
  const llm = result.events.find((e) => e.uuid === attribution.llmSpan && e.scopeCategory === 'start') as AtofEvent;
  const parent = result.events.find((e) => e.uuid === llm.parentUuid && e.scopeCategory === 'start') as AtofEvent;
  return (parent.metadata as JsonObject).session_id as string;
}

function only(result: ReplayResult): GatewayAttribution {
  assert.equal(result.attributions.all.length, 1);
  return result.attributions.all[0];
}

const rejectedLinks = (a: GatewayAttribution) => a.chain.rejected.map((r) => `${r.link}:${r.reason}`);
const claudeStart = (sessionId: string) => hookRecord('claude-code', 0, { hook_event_name: 'SessionStart', session_id: sessionId });
const hermesStart = (sessionId: string) => hookRecord('hermes', 0, { hook_event_name: 'on_session_start', session_id: sessionId });
const responsesBody = { model: 'gpt-5-codex', input: 'hi', prompt_cache_key: 'codex-thread', client_metadata: { 'x-codex-installation-id': 'install-1' }, session_id: 'body-thread' };

describe('session chain through the replay, link by link', () => {
  it('HEADER_RELAY_SESSION_ID wins on any route, over the Claude header and the body', async () => {
    const result = await replayLines([
      gatewayRecord('cap-1', 1, { path: '/v1/messages', headers: { 'x-nemo-relay-session-id': ' explicit ', 'x-claude-code-session-id': 'claude' }, body: { model: 'claude', session_id: 'body' } }),
    ]);
    const a = only(result);
    assert.deepEqual([a.chain.link, a.chain.sessionId, a.chain.rejected], ['HEADER_RELAY_SESSION_ID', 'explicit', []]);
    assert.equal(sessionOfLlm(result, a), 'explicit');
    assert.deepEqual(a.selection, { rule: 'SESSION_ID', sessionId: 'explicit', createdSession: true, agentKind: 'claude-code' });
  });

  it('HEADER_CLAUDE_CODE_SESSION_ID applies on OpenAI routes too, over Codex routing and the body', async () => {
    const result = await replayLines([
      claudeStart('claude-1'),
      gatewayRecord('cap-1', 1, { path: '/v1/responses', headers: { 'x-claude-code-session-id': 'claude-1' }, body: responsesBody }),
    ]);
    const a = only(result);
    assert.deepEqual([a.chain.link, a.chain.sessionId], ['HEADER_CLAUDE_CODE_SESSION_ID', 'claude-1']);
    assert.deepEqual(rejectedLinks(a), ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT']);
    assert.equal(sessionOfLlm(result, a), 'claude-1');
    assert.equal(a.selection.createdSession, false);
  });

  it('CODEX_PROMPT_CACHE_KEY wins over the body session_id on Responses', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { path: '/v1/responses', body: responsesBody })]);
    const a = only(result);
    assert.deepEqual([a.chain.link, a.chain.sessionId], ['CODEX_PROMPT_CACHE_KEY', 'codex-thread']);
    assert.deepEqual(rejectedLinks(a), ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT', 'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT']);
    assert.equal(sessionOfLlm(result, a), 'codex-thread');
    assert.equal(a.selection.agentKind, 'codex');
  });

  it('OPENAI_BODY_SESSION_ID: " body-session " is trimmed and joins the hook session of that id', async () => {
    const result = await replayLines([hermesStart('body-session'), gatewayRecord('cap-1', 1, { body: { model: 'm', messages: [], session_id: ' body-session ' } })]);
    const a = only(result);
    assert.deepEqual([a.chain.link, a.chain.sessionId], ['OPENAI_BODY_SESSION_ID', 'body-session']);
    assert.deepEqual(rejectedLinks(a), ['HEADER_RELAY_SESSION_ID:HEADER_ABSENT', 'HEADER_CLAUDE_CODE_SESSION_ID:HEADER_ABSENT', 'CODEX_PROMPT_CACHE_KEY:ROUTE_NOT_OPENAI_RESPONSES']);
    assert.equal(sessionOfLlm(result, a), 'body-session');
    assert.equal(a.selection.createdSession, false);
  });

  it('OPENAI_BODY_SESSION_ID also applies on Responses when the Codex link does not (no installation id)', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { path: '/responses', body: { model: 'm', input: 'hi', prompt_cache_key: 'cache', session_id: 'resp-session' } })]);
    const a = only(result);
    assert.deepEqual([a.chain.link, a.chain.sessionId], ['OPENAI_BODY_SESSION_ID', 'resp-session']);
    assert.ok(rejectedLinks(a).includes('CODEX_PROMPT_CACHE_KEY:CODEX_INSTALLATION_ID_MISSING'));
  });
});

describe('session chain negative cases (the seed fix, PR #189)', () => {
  it('an empty body session_id is rejected: the call falls back to the only session', async () => {
    const result = await replayLines([hermesStart('hermes-1'), gatewayRecord('cap-1', 1, { body: { model: 'm', messages: [], session_id: '  ' } })]);
    const a = only(result);
    assert.equal(a.chain.link, undefined);
    assert.ok(rejectedLinks(a).includes('OPENAI_BODY_SESSION_ID:SESSION_ID_BLANK'));
    assert.equal(a.selection.rule, 'SINGLE_ACTIVE_SESSION');
    assert.equal(sessionOfLlm(result, a), 'hermes-1');
  });

  it('a non-string body session_id is rejected', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { path: '/v1/responses', body: { model: 'm', input: 'hi', session_id: 42 } })]);
    const a = only(result);
    assert.equal(a.chain.link, undefined);
    assert.ok(rejectedLinks(a).includes('OPENAI_BODY_SESSION_ID:SESSION_ID_NOT_STRING'));
    assert.deepEqual([a.selection.rule, a.selection.sessionId], ['GATEWAY_FALLBACK_SESSION', 'gateway-gateway']);
  });

  it('the body session_id is ignored on Anthropic routes', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { path: '/v1/messages', body: { model: 'claude', messages: [], session_id: 'body-session' } })]);
    const a = only(result);
    assert.equal(a.chain.link, undefined);
    assert.ok(rejectedLinks(a).includes('OPENAI_BODY_SESSION_ID:ROUTE_NOT_OPENAI_COMPATIBLE'));
    assert.equal(a.selection.sessionId, 'gateway-gateway');
    assert.equal(result.events.some((e) => (e.metadata as JsonObject | undefined)?.session_id === 'body-session'), false);
  });

  it('explicit headers win over the body session_id', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { headers: { 'x-nemo-relay-session-id': 'explicit' }, body: { model: 'm', messages: [], session_id: 'body-session' } })]);
    assert.deepEqual([only(result).chain.link, only(result).chain.sessionId], ['HEADER_RELAY_SESSION_ID', 'explicit']);
  });

  it('Codex routing wins over the body session_id', async () => {
    const result = await replayLines([gatewayRecord('cap-1', 1, { path: '/responses', body: responsesBody })]);
    assert.equal(only(result).chain.sessionId, 'codex-thread');
  });
});

describe('session selection without a session id (§2.5 step 3)', () => {
  it('SINGLE_ACTIVE_SESSION: the only session the gateway holds, whatever its kind', async () => {
    const result = await replayLines([claudeStart('only-one'), gatewayRecord('cap-1', 1, { path: '/v1/messages', body: { model: 'claude', messages: [] } })]);
    const a = only(result);
    assert.deepEqual([a.selection.rule, a.selection.sessionId, a.selection.createdSession], ['SINGLE_ACTIVE_SESSION', 'only-one', false]);
    assert.equal(sessionOfLlm(result, a), 'only-one');
  });

  it('GATEWAY_FALLBACK_SESSION: with two sessions, unattributed calls share gateway-gateway', async () => {
    const result = await replayLines([
      claudeStart('one'),
      hookRecord('claude-code', 0.5, { hook_event_name: 'SessionStart', session_id: 'two' }),
      gatewayRecord('cap-1', 1, { body: { model: 'm', messages: [] } }),
      gatewayRecord('cap-2', 3, { body: { model: 'm', messages: [] } }),
    ]);
    const [first, second] = result.attributions.all;
    assert.deepEqual([first.selection.rule, first.selection.sessionId, first.selection.createdSession, first.selection.agentKind], ['GATEWAY_FALLBACK_SESSION', 'gateway-gateway', true, 'gateway']);
    assert.deepEqual([second.selection.sessionId, second.selection.createdSession], ['gateway-gateway', false]);
    // A gateway-kind session has a session agent scope: both LLMs sit in its one turn under it.
    assert.equal(sessionOfLlm(result, first), 'gateway-gateway');
    assert.equal(result.events.filter((e) => e.name === 'gateway' && e.scopeCategory === 'start').length, 1);
  });

  it('ALIAS_REWRITE: a call naming an aliased Codex child thread lands in the parent under the child subagent', async () => {
    const spawn = { source: { subagent: { thread_spawn: { parent_thread_id: 'parent-thread' } } } };
    const result = await replayLines([
      hookRecord('codex', 0, { hook_event_name: 'SessionStart', session_id: 'parent-thread' }),
      hookRecord('codex', 0.1, { hook_event_name: 'SessionStart', session_id: 'child-thread', ...spawn }),
      gatewayRecord('cap-1', 1, { path: '/v1/responses', body: { ...responsesBody, prompt_cache_key: 'child-thread' } }),
    ]);
    const a = only(result);
    assert.deepEqual(a.alias, { rule: 'ALIAS_REWRITE', childSessionId: 'child-thread', parentSessionId: 'parent-thread', subagentId: 'child-thread' });
    assert.deepEqual([a.selection.sessionId, a.owner.rule, a.owner.status, a.owner.parentScopeName], ['parent-thread', 'EXPLICIT_SUBAGENT', 'explicit', 'subagent:child-thread']);
  });
});
