/**
 * Ports of NeMo-Relay `crates/cli/tests/coverage/session_tests.rs` at 40bd7a03c (relay-cli.md §4.6):
 * scope lifecycle, Codex/Hermes child sessions, unknown sessions, idle timeout and shutdown. One
 * test per Rust test, same name. Where the Rust test inspects the session map, so does the port;
 * where it captures emitted events with a subscriber, the port reads the emitted ATOF events.
 * Also G28/G29 of gateway_tests.rs, whose assertions are about the session layer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyStartAlias } from '../src/gateway/session-selection.js';
import { adaptHook, seededUuids, type NormalizedEvent } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import {
  agentEnded, agentStarted, codexChildStart, gatewayStart, Harness, llmStarted, metadataOf, promptSubmitted, subagentEnded, subagentStarted, T0,
  toolEnded, toolStarted, turnEnded,
} from './fixtures/sessions/harness.js';

const S = 1_000_000_000n;

function hermes(h: Harness, payloads: Json[]): void {
  for (const payload of payloads) {
    const outcome = adaptHook('hermes', payload, { ids: seededUuids('hermes-test', 1_780_000_000_000) });
    h.apply(outcome.events as NormalizedEvent[]);
  }
}

describe('session_tests.rs (relay-cli.md §4.6): lifecycle', () => {
  it('nests_agent_subagent_and_tool_lifecycle', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 's1' }),
      subagentStarted({ sessionId: 's1', subagentId: 'worker-1' }),
      toolStarted({ sessionId: 's1', toolCallId: 't1', toolName: 'Read', subagentId: 'worker-1', arguments: { file_path: 'README.md' } }),
      toolEnded({ sessionId: 's1', toolCallId: 't1', toolName: 'Read', subagentId: 'worker-1', result: { ok: true }, status: 'success' }),
      subagentEnded({ sessionId: 's1', subagentId: 'worker-1' }),
      agentEnded({ sessionId: 's1' }),
    ]);
    assert.equal(h.manager.sessions.size, 0);
    // Every scope that opened also closed, children before parents.
    assert.deepEqual(h.events.map((e) => `${e.scopeCategory} ${e.name}`), [
      'start claude-code-turn', 'start subagent:worker-1', 'start Read', 'end Read', 'end subagent:worker-1', 'end claude-code-turn',
    ]);
  });

  it('parallel_subagents_are_siblings_under_turn_scope', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'sibling-subagents' }),
      subagentStarted({ sessionId: 'sibling-subagents', subagentId: 'worker-1' }),
      subagentStarted({ sessionId: 'sibling-subagents', subagentId: 'worker-2' }),
    ]);
    const session = h.session('sibling-subagents');
    assert.equal(session.agentScope, undefined);
    const turn = session.turnScope!;
    const w1 = session.subagents.get('worker-1')!;
    assert.equal(w1.category, 'agent');
    assert.equal(metadataOf(h.only((e) => e.uuid === w1.uuid)).nemo_relay_scope_role, 'subagent');
    assert.equal(w1.parentUuid, turn.uuid);
    assert.equal(session.subagents.get('worker-2')!.parentUuid, turn.uuid);
  });

  it('codex_turn_is_agent_scope_with_turn_role_metadata', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'codex-turn-agent', agentKind: 'codex', metadata: { transcript_path: '/tmp/session.jsonl' } }),
      promptSubmitted({ sessionId: 'codex-turn-agent', agentKind: 'codex', payload: { prompt: 'inspect the repo' } }),
    ]);
    const session = h.session('codex-turn-agent');
    assert.equal(session.agentScope, undefined);
    const turn = session.turnScope!;
    assert.equal(turn.name, 'codex-turn');
    assert.equal(turn.category, 'agent');
    assert.equal((turn.metadata as { nemo_relay_scope_role: string }).nemo_relay_scope_role, 'turn');
  });

  it('apply_start_alias_overrides_conflicting_subagent_id', () => {
    const start = { ...gatewayStart({ sessionId: 'child-session', subagentId: 'stale-subagent' }), metadata: { request: 'metadata' } };
    const rewritten = applyStartAlias(start, { parentSessionId: 'parent-session', subagentId: 'child-session', metadata: { alias: 'metadata' } });
    assert.equal(rewritten.sessionId, 'parent-session');
    assert.equal(rewritten.subagentId, 'child-session');
    assert.deepEqual(rewritten.metadata, { request: 'metadata', alias: 'metadata' });
  });

  it('turn_output_uses_last_root_owned_llm_response', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'turn-output' }),
      promptSubmitted({ sessionId: 'turn-output', payload: { prompt: 'summarize' } }),
      subagentStarted({ sessionId: 'turn-output', subagentId: 'worker' }),
    ]);
    h.llm(gatewayStart({ sessionId: 'turn-output' }), { output_text: 'worker answer' });
    h.apply([subagentEnded({ sessionId: 'turn-output', subagentId: 'worker', payload: { done: true } })]);
    h.llm(gatewayStart({ sessionId: 'turn-output' }), { output_text: 'final answer' });
    h.apply([agentEnded({ sessionId: 'turn-output' })]);
    const end = h.only((e) => e.name === 'claude-code-turn' && e.scopeCategory === 'end' && metadataOf(e).session_id === 'turn-output');
    assert.deepEqual(end.data, { output_text: 'final answer' });
  });

  it('codex_subagent_session_start_uses_transcript_parent_thread', () => {
    const transcript = JSON.stringify({
      type: 'session_meta',
      payload: {
        id: 'child-thread',
        source: { subagent: { thread_spawn: { parent_thread_id: 'parent-thread', depth: 1, agent_nickname: 'Hume', agent_role: 'explorer' } } },
        thread_source: 'subagent',
        agent_nickname: 'Hume',
        agent_role: 'explorer',
      },
    });
    const h = new Harness({ readTranscript: (path) => (path === '/tmp/child.jsonl' ? `${transcript}\n` : undefined) });
    h.apply([
      agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' }),
      agentStarted({ sessionId: 'child-thread', agentKind: 'codex', metadata: { transcript_path: '/tmp/child.jsonl' } }),
    ]);
    assert.equal(h.manager.sessions.has('child-thread'), false);
    const parent = h.session('parent-thread');
    assert.equal(parent.agentScope, undefined);
    assert.equal(parent.subagents.get('child-thread')!.parentUuid, parent.turnScope!.uuid);
    const alias = h.manager.alignment.aliases.get('child-thread')!;
    assert.equal(alias.parentSessionId, 'parent-thread');
    assert.equal(alias.subagentId, 'child-thread');
  });

  it('codex_subagent_agent_end_removes_alias_and_closes_scope', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' }), codexChildStart('child-thread', 'parent-thread')]);
    assert.ok(h.manager.alignment.aliases.has('child-thread'));
    h.apply([agentEnded({ sessionId: 'child-thread', agentKind: 'codex', payload: { done: true } })]);
    assert.equal(h.manager.alignment.aliases.has('child-thread'), false);
    assert.equal(h.session('parent-thread').subagents.has('child-thread'), false);
  });

  it('codex_parent_end_clears_alias_before_late_child_end', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' }), codexChildStart('child-thread', 'parent-thread')]);
    assert.ok(h.manager.alignment.aliases.has('child-thread'));
    h.apply([agentEnded({ sessionId: 'parent-thread', agentKind: 'codex' })]);
    assert.equal(h.manager.alignment.aliases.has('child-thread'), false);
    assert.equal(h.manager.sessions.has('parent-thread'), false);
    const before = h.events.length;
    h.apply([agentEnded({ sessionId: 'child-thread', agentKind: 'codex', payload: { late: true } })]);
    assert.equal(h.manager.alignment.aliases.has('child-thread'), false);
    assert.equal(h.manager.sessions.has('parent-thread'), false);
    assert.equal(h.events.length, before, 'the late child end is dropped');
  });

  it('codex_child_session_start_waits_for_parent_session', () => {
    const h = new Harness();
    h.apply([codexChildStart('child-thread', 'parent-thread', { agent_nickname: 'Late', agent_role: 'worker' })]);
    assert.equal(h.manager.sessions.has('child-thread'), false);
    assert.ok(h.manager.alignment.pending.has('child-thread'));
    h.apply([agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' })]);
    assert.equal(h.manager.alignment.pending.has('child-thread'), false);
    assert.ok(h.manager.alignment.aliases.has('child-thread'));
    assert.equal(h.manager.sessions.has('child-thread'), false);
    assert.ok(h.session('parent-thread').subagents.has('child-thread'));
  });

  it('codex_pending_child_gateway_llm_promotes_parent_subagent', () => {
    const h = new Harness();
    h.apply([codexChildStart('child-thread', 'parent-thread')]);
    const call = h.startLlm(gatewayStart({ sessionId: 'child-thread' }));
    assert.equal(call.sessionId, 'parent-thread');
    assert.equal(call.ownerSubagentId, 'child-thread');
    assert.equal(call.attribution.alias.rule, 'PENDING_CHILD_PROMOTED');
    assert.equal(h.manager.alignment.pending.has('child-thread'), false);
    assert.ok(h.manager.alignment.aliases.has('child-thread'));
    assert.equal(h.manager.sessions.has('child-thread'), false);
    assert.ok(h.session('parent-thread').subagents.has('child-thread'));
    h.end(call);
    h.manager.closeAll('test_shutdown');
  });

  it('codex_subagent_start_does_not_reparent_active_child_session', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' })]);
    const childCall = h.startLlm(gatewayStart({ sessionId: 'child-thread' }));
    h.apply([codexChildStart('child-thread', 'parent-thread')]);
    assert.equal(h.manager.alignment.aliases.has('child-thread'), false);
    assert.ok(h.manager.sessions.has('child-thread'));
    assert.equal(h.session('parent-thread').subagents.has('child-thread'), false);
    h.end(childCall);
    h.manager.closeAll('test_shutdown');
  });

  it('hermes_subagent_start_does_not_reparent_active_child_session', () => {
    const h = new Harness();
    hermes(h, [
      { hook_event_name: 'on_session_start', session_id: 'parent-session' },
      { hook_event_name: 'on_session_start', session_id: 'child-session' },
      { hook_event_name: 'pre_api_request', session_id: 'child-session', extra: { task_id: 'child-task', api_call_count: 1, provider: 'custom', model: 'qwen', request: { body: { model: 'qwen' } } } },
      { hook_event_name: 'subagent_start', session_id: 'parent-session', extra: { child_session_id: 'child-session', child_subagent_id: 'sa-1', parent_turn_id: 'parent-turn-1' } },
    ]);
    assert.equal(h.manager.alignment.aliases.has('child-session'), false);
    assert.ok(h.manager.sessions.has('child-session'));
    assert.equal(h.session('parent-session').subagents.has('sa-1'), false);
    assert.ok(h.session('child-session').hookLlms.has('child-session:child-task:1'));
    h.manager.closeAll('test_shutdown');
  });

  it('codex_aliased_hook_llm_routes_to_subagent_scope', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' }),
      codexChildStart('child-thread', 'parent-thread'),
      llmStarted({ sessionId: 'child-thread', agentKind: 'codex', eventName: 'PreLlm', apiCallId: 'hook-llm', provider: 'openai.responses', modelName: 'gpt-test', request: { input: 'hello' } }),
    ]);
    const parent = h.session('parent-thread');
    const handle = parent.hookLlms.get('hook-llm')!;
    assert.equal(handle.parentUuid, parent.subagents.get('child-thread')!.uuid);
    const metadata = handle.metadata as Record<string, Json>;
    assert.equal(metadata.llm_correlation_status, 'session_alias');
    assert.equal(metadata.llm_correlation_subagent_id, 'child-thread');
    h.manager.closeAll('test_shutdown');
  });

  it('handles_out_of_order_subagent_and_tool_end_events', () => {
    const h = new Harness();
    h.apply([
      subagentEnded({ sessionId: 'out-of-order', agentKind: 'cursor', eventName: 'subagentStop', subagentId: 'missing', payload: { reason: 'missing-start' } }),
      toolEnded({ sessionId: 'out-of-order', agentKind: 'cursor', eventName: 'postToolUse', toolCallId: 'tool-without-start', toolName: 'Shell', arguments: { cmd: 'pwd' }, result: { stdout: '/repo' }, status: 'success' }),
      agentEnded({ sessionId: 'out-of-order', agentKind: 'cursor', eventName: 'sessionEnd' }),
    ]);
    assert.equal(h.manager.sessions.size, 0);
    assert.equal(h.events.length, 0);
  });

  it('terminal_retry_for_unknown_session_is_ignored', () => {
    const h = new Harness();
    h.apply([agentEnded({ sessionId: 'retry-session', agentKind: 'codex', eventName: 'sessionEnd' })]);
    assert.equal(h.manager.sessions.size, 0);
    assert.equal(h.events.length, 0);
  });

  it('out_of_order_started_subagent_end_does_not_leak_scope', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'nested' }),
      subagentStarted({ sessionId: 'nested', subagentId: 'parent' }),
      subagentStarted({ sessionId: 'nested', subagentId: 'child' }),
      subagentEnded({ sessionId: 'nested', subagentId: 'parent', payload: { out_of_order: true } }),
      subagentEnded({ sessionId: 'nested', subagentId: 'child' }),
      agentEnded({ sessionId: 'nested' }),
    ]);
    assert.equal(h.manager.sessions.size, 0);
    assert.deepEqual(h.named('subagent:parent', 'end').map((e) => e.data), [{ out_of_order: true }]);
    assert.equal(h.named('subagent:child', 'end').length, 1);
  });

  it('agent_end_closes_nested_active_subagents_lifo', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'cleanup' }),
      subagentStarted({ sessionId: 'cleanup', subagentId: 'parent' }),
      subagentStarted({ sessionId: 'cleanup', subagentId: 'child' }),
      agentEnded({ sessionId: 'cleanup' }),
    ]);
    assert.equal(h.manager.sessions.size, 0);
    assert.deepEqual(h.endStatuses(), [
      ['subagent:child', 'closed_by_agent_end'],
      ['subagent:parent', 'closed_by_agent_end'],
      ['claude-code-turn', 'closed_by_agent_end'],
    ]);
  });

  it('llm_lifecycle_starts_implicit_gateway_session', () => {
    const h = new Harness();
    const start = { ...gatewayStart({ sessionId: 'llm-session' }), streaming: true, metadata: { gateway_path: '/v1/responses' } };
    h.llm(start, { output_text: 'hello' });
    assert.ok(h.manager.sessions.has('llm-session'));
    assert.equal(h.session('llm-session').agentKind, 'codex', 'openai.responses infers codex');
  });

  it('llm_lifecycle_uses_single_active_hook_session_when_header_is_missing', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'hook-session', agentKind: 'codex', eventName: 'sessionStart' })]);
    const call = h.startLlm({ ...gatewayStart(), metadata: { gateway_path: '/v1/responses' } }, { output_text: 'hello' });
    h.end(call);
    assert.ok(h.manager.sessions.has('hook-session'));
    assert.equal(h.manager.sessions.has('gateway-gateway'), false);
    assert.equal(call.attribution.selection.rule, 'SINGLE_ACTIVE_SESSION');
  });

  it('agent_end_closes_active_tools_and_duplicate_starts_are_ignored', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'active-tool-cleanup' }),
      subagentStarted({ sessionId: 'active-tool-cleanup', subagentId: 'worker' }),
      subagentStarted({ sessionId: 'active-tool-cleanup', subagentId: 'worker', payload: { duplicate: true } }),
      toolStarted({ sessionId: 'active-tool-cleanup', toolCallId: 'tool-1', toolName: 'Read', subagentId: 'worker', arguments: { file_path: 'README.md' } }),
      toolStarted({ sessionId: 'active-tool-cleanup', toolCallId: 'tool-1', toolName: 'Read', subagentId: 'worker', arguments: { file_path: 'README.md' }, payload: { duplicate: true } }),
      agentEnded({ sessionId: 'active-tool-cleanup' }),
    ]);
    assert.equal(h.manager.sessions.size, 0);
    assert.equal(h.named('subagent:worker', 'start').length, 1);
    assert.equal(h.named('Read', 'start').length, 1);
    assert.deepEqual(h.endStatuses(), [
      ['Read', 'closed_by_agent_end'],
      ['subagent:worker', 'closed_by_agent_end'],
      ['claude-code-turn', 'closed_by_agent_end'],
    ]);
  });

  it('gateway_shutdown_closes_codex_sessions_without_session_end_hook', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'codex-no-session-end', agentKind: 'codex' }),
      toolStarted({ sessionId: 'codex-no-session-end', agentKind: 'codex', toolCallId: 'tool-1', toolName: 'shell', arguments: { cmd: 'pwd' } }),
    ]);
    h.tick();
    h.manager.closeAll('gateway_shutdown');
    assert.equal(h.manager.sessions.size, 0);
    assert.deepEqual(h.endStatuses(), [['shell', 'gateway_shutdown'], ['codex-turn', 'gateway_shutdown']]);
  });

  it('idle_timeout_closes_codex_session_without_session_end_hook', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'codex-idle', agentKind: 'codex' }),
      subagentStarted({ sessionId: 'codex-idle', agentKind: 'codex', subagentId: 'worker', metadata: { session_id: 'codex-idle' } }),
    ]);
    const at = h.nowNs + 31n * S;
    h.tick(at);
    assert.equal(h.manager.closeIdleSessions(at), 1);
    const session = h.session('codex-idle');
    assert.equal(session.turnScope, undefined);
    assert.equal(session.subagents.size, 0);
    const statuses = h.events.filter((e) => e.scopeCategory === 'end' && metadataOf(e).session_id === 'codex-idle').map((e) => [e.name, (e.data as { status: string }).status]);
    assert.deepEqual(statuses, [['subagent:worker', 'idle_timeout'], ['codex-turn', 'idle_timeout']]);
  });

  it('idle_timeout_keeps_recent_claude_subagent_session_open', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'claude-recent' }), subagentStarted({ sessionId: 'claude-recent', subagentId: 'recent-worker' })]);
    assert.equal(h.manager.closeIdleSessions(h.nowNs + 5n * S), 0);
    const session = h.session('claude-recent');
    assert.ok(session.turnScope);
    assert.ok(session.subagents.has('recent-worker'));
  });

  it('idle_timeout_closes_claude_subagent_with_no_followup_activity', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'claude-idle' }), subagentStarted({ sessionId: 'claude-idle', subagentId: 'idle-worker' })]);
    const at = h.nowNs + 31n * S;
    h.tick(at);
    assert.equal(h.manager.closeIdleSessions(at), 1);
    const session = h.session('claude-idle');
    assert.equal(session.turnScope, undefined);
    assert.equal(session.subagents.size, 0);
    assert.deepEqual(h.endStatuses(), [['subagent:idle-worker', 'idle_timeout'], ['claude-code-turn', 'idle_timeout']]);
  });

  it('idle_timeout_waits_for_active_claude_subagent_tool_call', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'claude-active-tool' }),
      subagentStarted({ sessionId: 'claude-active-tool', subagentId: 'active-tool-worker' }),
      toolStarted({ sessionId: 'claude-active-tool', toolCallId: 'tool-1', toolName: 'Read', subagentId: 'active-tool-worker', arguments: { file_path: 'README.md' } }),
    ]);
    assert.equal(h.manager.closeIdleSessions(h.nowNs + 31n * S), 0);
    const session = h.session('claude-active-tool');
    assert.ok(session.turnScope);
    assert.ok(session.subagents.has('active-tool-worker'));
    assert.equal(session.tools.size, 1);
  });

  it('idle_timeout_waits_for_active_gateway_llm_call', () => {
    const h = new Harness();
    const call = h.startLlm(gatewayStart({ sessionId: 'active-gateway-call' }));
    assert.equal(h.manager.closeIdleSessions(h.nowNs + 31n * S), 0);
    assert.ok(h.manager.sessions.has('active-gateway-call'));
    h.end(call);
    assert.equal(h.manager.closeIdleSessions(h.nowNs + 31n * S), 1);
    assert.equal(h.manager.sessions.size, 0);
  });

  it('turn_ended_is_noop_without_active_turn_scope', () => {
    const h = new Harness();
    h.apply([turnEnded({ sessionId: 'no-agent', agentKind: 'codex', payload: {} })]);
    assert.equal(h.events.length, 0);
    assert.equal(h.manager.sessions.size, 0);
  });
});

describe('server_tests.rs session-layer assertions (relay-cli.md §4.7)', () => {
  it('serve_listener_observability_plugin_records_non_hermes_hooks', () => {
    const h = new Harness();
    for (const [agent, payloads] of [
      ['codex', ['sessionStart', 'UserPromptSubmit', 'sessionEnd']],
      ['claude-code', ['SessionStart', 'UserPromptSubmit', 'SessionEnd']],
    ] as const) {
      for (const name of payloads) {
        const outcome = adaptHook(agent, { session_id: `${agent}-session`, hook_event_name: name, prompt: 'hi' }, { ids: seededUuids('v4', 1_780_000_000_000) });
        h.apply(outcome.events as NormalizedEvent[]);
      }
    }
    const agentStarts = h.events.filter((e) => e.category === 'agent' && e.scopeCategory === 'start').map((e) => e.name);
    assert.ok(agentStarts.includes('codex-turn'));
    assert.ok(agentStarts.includes('claude-code-turn'));
    assert.ok(!agentStarts.includes('claude-code'), 'Claude Code sessions have no session agent scope');
  });
});

describe('gateway_tests.rs session-layer assertions (relay-cli.md §4.5)', () => {
  it('streaming_gateway_call_guard_finishes_when_body_is_dropped', () => {
    const h = new Harness();
    const start = { ...gatewayStart({ sessionId: 'stream-drop' }), streaming: true };
    const call = h.startLlm(start);
    // A dropped body still finalizes the stream: the end is emitted and the in-flight count released.
    h.end(call);
    assert.equal(h.session('stream-drop').activeGatewayCalls, 0);
    assert.equal(h.manager.closeIdleSessions(h.nowNs + 1n, 1n), 1);
  });

  it('streaming_body_records_final_response_for_turn_output', () => {
    const h = new Harness();
    const call = h.startLlm({ ...gatewayStart({ sessionId: 'stream-final' }), streaming: true }, { output_text: 'streamed final' });
    h.end(call);
    h.tick(T0 + 60n * S);
    h.manager.closeIdleSessions(T0 + 60n * S);
    const end = h.only((e) => e.name === 'codex-turn' && e.scopeCategory === 'end' && metadataOf(e).session_id === 'stream-final');
    assert.deepEqual(end.data, { output_text: 'streamed final' });
  });
});
