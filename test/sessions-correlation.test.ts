/**
 * Ports of NeMo-Relay `crates/cli/tests/coverage/session_tests.rs` at 40bd7a03c (relay-cli.md §4.6):
 * LLM owner resolution through a session (hints, sticky owner, request affinity, aliases), tool
 * hints, and the Claude `Agent` tool completion. One test per Rust test, same name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hintMatchScore } from '../src/gateway/llm-hints.js';
import { toolHintsFromResponse } from '../src/gateway/response-tool-hints.js';
import { mergeMetadata } from '../src/hooks/index.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import {
  agentStarted, chatTask, codexChildStart, gatewayStart, Harness, llmHint, messagesTask, metadataOf, responsesTask, subagentEnded, subagentStarted,
  toolEnded, toolStarted,
} from './fixtures/sessions/harness.js';

/** The parent and correlation metadata of an LLM start, the way the Rust tests read the handle. */
function owner(start: AtofEvent): { parent: string | undefined; status: unknown; source: unknown; subagent: unknown; meta: Record<string, unknown> } {
  const meta = metadataOf(start);
  return { parent: start.parentUuid, status: meta.llm_correlation_status, source: meta.llm_correlation_source, subagent: meta.llm_correlation_subagent_id, meta };
}

describe('session_tests.rs (relay-cli.md §4.6): LLM and tool ownership', () => {
  it('new_subagent_claims_first_unhinted_llm_when_siblings_active', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'new-subagent-owner' }), subagentStarted({ sessionId: 'new-subagent-owner', subagentId: 'worker-1' })]);
    h.llm(gatewayStart({ sessionId: 'new-subagent-owner' }), { output_text: 'worker-1' });
    h.apply([subagentStarted({ sessionId: 'new-subagent-owner', subagentId: 'worker-2' })]);
    const worker2 = h.session('new-subagent-owner').subagents.get('worker-2')!.uuid;
    const second = owner(h.llm(gatewayStart({ sessionId: 'new-subagent-owner' }), { output_text: 'worker-2' }));
    assert.equal(second.parent, worker2);
    assert.equal(second.status, 'subagent_start');
    assert.equal(second.source, 'subagent_start');
  });

  it('codex_subagent_gateway_llm_routes_to_parent_subagent', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'parent-thread', agentKind: 'codex' }), codexChildStart('child-thread', 'parent-thread', { agent_nickname: 'Bohr', agent_role: 'explorer' })]);
    const subagent = h.session('parent-thread').subagents.get('child-thread')!.uuid;
    const codexFields = (o: ReturnType<typeof owner>) => {
      assert.equal(o.parent, subagent);
      assert.equal(o.meta.codex_parent_thread_id, 'parent-thread');
      assert.equal(o.meta.codex_subagent_session_id, 'child-thread');
    };

    const active = h.startLlm(gatewayStart({ sessionId: 'child-thread' }), { output_text: 'child' });
    assert.equal(active.sessionId, 'parent-thread');
    assert.equal(active.ownerSubagentId, 'child-thread');
    const explicit = owner(h.llmStart(active));
    codexFields(explicit);
    assert.equal(explicit.status, 'explicit');
    assert.equal(explicit.subagent, 'child-thread');
    assert.equal(explicit.meta.agent_nickname, 'Bohr');
    h.end(active);

    const sticky = h.startLlm(gatewayStart({ sessionId: 'parent-thread' }), { output_text: 'child-again' });
    assert.equal(sticky.ownerSubagentId, 'child-thread');
    const stickyOwner = owner(h.llmStart(sticky));
    codexFields(stickyOwner);
    assert.equal(stickyOwner.status, 'sticky_last_owner');
    assert.equal(stickyOwner.subagent, 'child-thread');
    assert.equal(stickyOwner.meta.agent_nickname, 'Bohr');
    h.end(sticky);

    h.apply([
      toolStarted({ sessionId: 'parent-thread', agentKind: 'codex', toolCallId: 'tool-1', toolName: 'exec_command', subagentId: 'child-thread', arguments: { cmd: 'true' } }),
      toolEnded({ sessionId: 'parent-thread', agentKind: 'codex', toolCallId: 'tool-1', toolName: 'exec_command', subagentId: 'child-thread', result: { ok: true }, status: 'success' }),
    ]);
    const toolOwned = owner(h.llm(gatewayStart({ sessionId: 'parent-thread' }), { output_text: 'after-tool' }));
    codexFields(toolOwned);
    assert.equal(toolOwned.status, 'recent_tool_owner');

    h.apply([llmHint({ sessionId: 'parent-thread', agentKind: 'codex', eventName: 'AgentMessageDelta', subagentId: 'child-thread', agentType: 'explorer', generationId: 'generation-1', model: 'gpt-test' })]);
    const hinted = owner(h.llm(gatewayStart({ sessionId: 'parent-thread', generationId: 'generation-1' }), { output_text: 'after-hint' }));
    codexFields(hinted);
    assert.equal(hinted.status, 'single_hint');
  });

  it('single_pending_llm_hint_claims_next_gateway_llm', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'hint-session' }),
      subagentStarted({ sessionId: 'hint-session', subagentId: 'worker-1' }),
      llmHint({ sessionId: 'hint-session', eventName: 'UserPromptSubmit', subagentId: 'worker-1', agentType: 'Explore', conversationId: 'conv-1', model: 'gpt-test', payload: { prompt: 'hello' } }),
    ]);
    const worker = h.session('hint-session').subagents.get('worker-1')!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'hint-session' }), { output_text: 'hello' }));
    assert.equal(o.parent, worker);
    assert.equal(o.status, 'single_hint');
    assert.equal(o.subagent, 'worker-1');
  });

  it('multiple_llm_hints_resolve_by_generation_id', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'multi-session', agentKind: 'cursor', eventName: 'sessionStart' }),
      subagentStarted({ sessionId: 'multi-session', agentKind: 'cursor', subagentId: 'worker-1' }),
      subagentStarted({ sessionId: 'multi-session', agentKind: 'cursor', subagentId: 'worker-2' }),
      llmHint({ sessionId: 'multi-session', agentKind: 'cursor', eventName: 'afterAgentThought', subagentId: 'worker-1', conversationId: 'conv-1', generationId: 'gen-1', model: 'gpt-test' }),
      llmHint({ sessionId: 'multi-session', agentKind: 'cursor', eventName: 'afterAgentThought', subagentId: 'worker-2', conversationId: 'conv-1', generationId: 'gen-2', model: 'gpt-test' }),
    ]);
    const worker2 = h.session('multi-session').subagents.get('worker-2')!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'multi-session', conversationId: 'conv-1', generationId: 'gen-2' })));
    assert.equal(o.parent, worker2);
    assert.equal(o.status, 'matched_hint');
  });

  it('ambiguous_llm_hints_fall_back_to_agent_scope', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'ambiguous-session', agentKind: 'cursor', eventName: 'sessionStart' }),
      llmHint({ sessionId: 'ambiguous-session', agentKind: 'cursor', eventName: 'afterAgentThought', conversationId: 'conv-1', model: 'gpt-test' }),
      llmHint({ sessionId: 'ambiguous-session', agentKind: 'cursor', eventName: 'afterAgentResponse', conversationId: 'conv-1', model: 'gpt-test' }),
    ]);
    const turn = h.session('ambiguous-session').turnScope!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'ambiguous-session', conversationId: 'conv-1' })));
    assert.equal(o.parent, turn);
    assert.equal(o.status, 'ambiguous_fallback');
  });

  it('no_active_hint_reuses_last_llm_owner', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'sticky-session' }),
      subagentStarted({ sessionId: 'sticky-session', subagentId: 'worker-1' }),
      llmHint({ sessionId: 'sticky-session', eventName: 'UserPromptSubmit', subagentId: 'worker-1', model: 'gpt-test' }),
    ]);
    const worker = h.session('sticky-session').subagents.get('worker-1')!.uuid;
    assert.equal(owner(h.llm(gatewayStart({ sessionId: 'sticky-session' }))).status, 'single_hint');
    const second = owner(h.llm(gatewayStart({ sessionId: 'sticky-session' })));
    assert.equal(second.parent, worker);
    assert.equal(second.status, 'sticky_last_owner');
  });

  it('root_llm_hint_does_not_stick_over_later_subagent', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'root-hint' }), llmHint({ sessionId: 'root-hint', eventName: 'UserPromptSubmit', model: 'gpt-test' })]);
    assert.equal(owner(h.llm(gatewayStart({ sessionId: 'root-hint' }))).status, 'single_hint');
    h.apply([subagentStarted({ sessionId: 'root-hint', subagentId: 'worker' })]);
    const worker = h.session('root-hint').subagents.get('worker')!.uuid;
    const second = owner(h.llm(gatewayStart({ sessionId: 'root-hint' })));
    assert.equal(second.parent, worker);
    assert.equal(second.status, 'active_subagent');
  });

  it('explicit_subagent_tool_owner_claims_next_unhinted_llm', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'tool-owner' }),
      subagentStarted({ sessionId: 'tool-owner', subagentId: 'worker-1' }),
      subagentStarted({ sessionId: 'tool-owner', subagentId: 'worker-2' }),
      toolStarted({ sessionId: 'tool-owner', toolCallId: 'tool-1', toolName: 'Read', subagentId: 'worker-1', arguments: { file_path: 'README.md' } }),
      toolEnded({ sessionId: 'tool-owner', toolCallId: 'tool-1', toolName: 'Read', subagentId: 'worker-1', result: { ok: true }, status: 'success' }),
    ]);
    const worker1 = h.session('tool-owner').subagents.get('worker-1')!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'tool-owner' })));
    assert.equal(o.parent, worker1);
    assert.equal(o.status, 'recent_tool_owner');
    assert.equal(o.source, 'tool_owner');
  });

  it('request_affinity_pairs_parallel_subagents_across_provider_formats', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'parallel-affinity', agentKind: 'codex' }),
      subagentStarted({ sessionId: 'parallel-affinity', agentKind: 'codex', subagentId: 'python-worker' }),
      subagentStarted({ sessionId: 'parallel-affinity', agentKind: 'codex', subagentId: 'go-worker' }),
    ]);
    const python = 'Very thorough analysis of the python/nemo_relay package.';
    h.llm({ ...responsesTask('parallel-affinity', python), subagentId: 'python-worker' }, { output_text: 'python' });
    h.llm({ ...messagesTask('parallel-affinity', 'Very thorough analysis of the go/nemo_relay binding.'), subagentId: 'go-worker' }, { output_text: 'go' });
    h.apply([
      toolStarted({ sessionId: 'parallel-affinity', agentKind: 'codex', toolCallId: 'go-tool', toolName: 'Read', subagentId: 'go-worker', arguments: { file_path: 'go/nemo_relay/nemo_relay.go' } }),
      toolEnded({ sessionId: 'parallel-affinity', agentKind: 'codex', toolCallId: 'go-tool', toolName: 'Read', subagentId: 'go-worker', result: { ok: true }, status: 'success' }),
    ]);
    const pythonUuid = h.session('parallel-affinity').subagents.get('python-worker')!.uuid;
    const later = owner(h.llm(chatTask('parallel-affinity', python)));
    assert.equal(later.parent, pythonUuid);
    assert.equal(later.status, 'request_affinity');
    assert.equal(later.source, 'request_payload');
  });

  it('claude_agent_tool_completion_closes_subagents_before_final_llm', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'agent-tool-finish' }),
      subagentStarted({ sessionId: 'agent-tool-finish', subagentId: 'worker-1' }),
      subagentStarted({ sessionId: 'agent-tool-finish', subagentId: 'worker-2' }),
      toolEnded({ sessionId: 'agent-tool-finish', toolCallId: 'agent-tool-1', toolName: 'Agent', result: { agentId: 'worker-1', status: 'completed' }, status: 'completed' }),
      toolEnded({ sessionId: 'agent-tool-finish', toolCallId: 'agent-tool-2', toolName: 'Agent', result: { agentId: 'worker-2', status: 'completed' }, status: 'completed' }),
      subagentEnded({ sessionId: 'agent-tool-finish', subagentId: 'worker-2', payload: { duplicate: true } }),
    ]);
    const session = h.session('agent-tool-finish');
    assert.equal(session.subagents.size, 0);
    assert.equal(session.subagentOrder.length, 0);
    // The duplicate SubagentStop changed nothing: worker-2 ended once, with the tool result.
    assert.deepEqual(h.named('subagent:worker-2', 'end').map((e) => e.data), [{ agentId: 'worker-2', status: 'completed' }]);
    const o = owner(h.llm(gatewayStart({ sessionId: 'agent-tool-finish' }), { output_text: 'final' }));
    assert.equal(o.parent, session.turnScope!.uuid);
    assert.equal(o.status, 'agent_fallback');
  });

  it('claude_agent_tool_async_launch_keeps_subagent_open_for_later_hooks', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'agent-tool-async' }),
      subagentStarted({ sessionId: 'agent-tool-async', subagentId: 'worker' }),
      toolEnded({ sessionId: 'agent-tool-async', toolCallId: 'agent-tool', toolName: 'Agent', result: { agentId: 'worker', status: 'async_launched' }, status: 'success' }),
    ]);
    const worker = h.session('agent-tool-async').subagents.get('worker')!.uuid;
    h.apply([toolStarted({ sessionId: 'agent-tool-async', toolCallId: 'worker-tool', toolName: 'Read', subagentId: 'worker', arguments: { file_path: 'README.md' } })]);
    const tool = h.session('agent-tool-async').tools.get('worker-tool')!;
    assert.equal(tool.parentUuid, worker);
    const meta = tool.metadata as Record<string, unknown>;
    assert.equal(meta.tool_correlation_status, 'explicit');
    assert.equal(meta.tool_correlation_subagent_id, 'worker');
  });

  it('explicit_gateway_subagent_header_sets_llm_parent', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'explicit-subagent' }), subagentStarted({ sessionId: 'explicit-subagent', subagentId: 'worker' })]);
    const worker = h.session('explicit-subagent').subagents.get('worker')!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'explicit-subagent', subagentId: 'worker' })));
    assert.equal(o.parent, worker);
    assert.equal(o.status, 'explicit');
    assert.equal(o.source, 'gateway_header');
  });

  it('single_active_subagent_claims_unhinted_gateway_llm', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'single-subagent' }), subagentStarted({ sessionId: 'single-subagent', subagentId: 'worker' })]);
    const worker = h.session('single-subagent').subagents.get('worker')!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'single-subagent' })));
    assert.equal(o.parent, worker);
    assert.equal(o.status, 'active_subagent');
  });

  it('llm_response_tool_hint_claims_next_tool_hook', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'tool-hints' }), subagentStarted({ sessionId: 'tool-hints', subagentId: 'worker' })]);
    const worker = h.session('tool-hints').subagents.get('worker')!.uuid;
    h.llm(gatewayStart({ sessionId: 'tool-hints', subagentId: 'worker' }), { output: [{ type: 'function_call', call_id: 'call-1', name: 'Read', arguments: '{"file_path":"README.md"}' }] });
    h.apply([toolStarted({ sessionId: 'tool-hints', toolCallId: 'call-1', toolName: 'Read' })]);
    const tool = h.session('tool-hints').tools.get('call-1')!;
    assert.equal(tool.parentUuid, worker);
    const meta = tool.metadata as Record<string, unknown>;
    assert.equal(meta.tool_correlation_status, 'single_hint');
    assert.equal(meta.tool_correlation_subagent_id, 'worker');
    // The hook carried no arguments, so the hint's parsed arguments became the tool input.
    assert.deepEqual(h.only((e) => e.name === 'Read' && e.scopeCategory === 'start').data, { file_path: 'README.md' });
  });

  it('single_tool_hint_does_not_claim_same_name_with_different_call_and_args', () => {
    const cases = [
      ['claude-code', 'claude', 'Read', { file_path: 'README.md' }, { file_path: 'Cargo.toml' }],
      ['codex', 'codex', 'exec_command', { cmd: 'pwd' }, { cmd: 'ls' }],
      ['hermes', 'hermes', 'shell', { command: 'pwd' }, { command: 'ls' }],
    ] as const;
    for (const [agentKind, label, toolName, expected, actual] of cases) {
      const h = new Harness();
      const sessionId = `weak-tool-hint-${label}`;
      h.apply([agentStarted({ sessionId, agentKind }), subagentStarted({ sessionId, agentKind, subagentId: 'worker' })]);
      const turn = h.session(sessionId).turnScope!.uuid;
      h.llm(gatewayStart({ sessionId, subagentId: 'worker' }), { output: [{ type: 'function_call', call_id: 'expected-call', name: toolName, arguments: JSON.stringify(expected) }] });
      h.apply([toolStarted({ sessionId, agentKind, toolCallId: 'actual-call', toolName, arguments: actual })]);
      const tool = h.session(sessionId).tools.get('actual-call')!;
      assert.equal(tool.parentUuid, turn, `case ${label}`);
      const meta = tool.metadata as Record<string, unknown>;
      assert.equal(meta.tool_correlation_status, 'ambiguous_fallback', `case ${label}`);
      assert.equal(meta.tool_correlation_subagent_id, undefined, `case ${label}`);
    }
  });

  it('openai_response_tool_hints_ignore_non_tool_output_items', () => {
    const hints = toolHintsFromResponse(
      {
        output: [
          { type: 'message', id: 'msg-1', name: 'Read', arguments: '{"file_path":"README.md"}' },
          { type: 'function_call', call_id: 'call-1', name: 'Read', arguments: '{"file_path":"README.md"}' },
        ],
      },
      'worker',
    );
    assert.equal(hints.length, 1);
    assert.equal(hints[0].toolCallId, 'call-1');
  });

  it('provider_tool_hints_require_call_id_or_name_with_arguments', () => {
    const hints = toolHintsFromResponse({ output: [{ type: 'function_call', name: 'Read' }, { type: 'function_call', name: 'Read', arguments: '{"file_path":"README.md"}' }] }, 'worker');
    assert.equal(hints.length, 1);
    assert.equal(hints[0].toolCallId, undefined);
    assert.equal(hints[0].toolName, 'Read');
    assert.deepEqual(hints[0].arguments, { file_path: 'README.md' });
  });

  it('multiple_tool_hints_resolve_by_tool_call_id', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'multi-tool-hints' }), subagentStarted({ sessionId: 'multi-tool-hints', subagentId: 'worker' })]);
    h.llm(gatewayStart({ sessionId: 'multi-tool-hints', subagentId: 'worker' }), {
      choices: [{ message: { tool_calls: [{ id: 'call-a', function: { name: 'Read', arguments: '{}' } }, { id: 'call-b', function: { name: 'Bash', arguments: '{"command":"pwd"}' } }] } }],
    });
    h.apply([toolStarted({ sessionId: 'multi-tool-hints', toolCallId: 'call-b', toolName: 'Bash', arguments: { command: 'pwd' } })]);
    const meta = h.session('multi-tool-hints').tools.get('call-b')!.metadata as Record<string, unknown>;
    assert.equal(meta.tool_correlation_status, 'matched_hint');
    assert.equal(meta.tool_correlation_tool_call_id, 'call-b');
  });

  it('hint_for_missing_subagent_falls_back_to_agent_scope', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'missing-hint-owner' }), llmHint({ sessionId: 'missing-hint-owner', eventName: 'UserPromptSubmit', subagentId: 'missing-worker', model: 'gpt-test' })]);
    const turn = h.session('missing-hint-owner').turnScope!.uuid;
    const o = owner(h.llm(gatewayStart({ sessionId: 'missing-hint-owner' })));
    assert.equal(o.parent, turn);
    assert.equal(o.status, 'single_hint');
    assert.equal(o.subagent, undefined);
  });

  it('llm_hint_scoring_and_event_accessors_cover_all_variants', () => {
    const hint = { eventName: 'afterAgentThought', subagentId: 'worker', conversationId: 'conv', generationId: 'gen', requestId: 'req', model: 'gpt-test' };
    const start = gatewayStart({ sessionId: 'score', subagentId: 'worker', conversationId: 'conv', generationId: 'gen', requestId: 'req' });
    assert.equal(hintMatchScore(hint, start), 21);
    // The session layer reads the session id and agent kind of every variant the same way.
    const h = new Harness();
    for (const type of ['PromptSubmitted', 'Compaction', 'Notification', 'HookMark'] as const) {
      h.apply([{ type, sessionId: 'variant', agentKind: 'claude-code', eventName: type, payload: { event: type }, metadata: {} }]);
    }
    assert.equal(h.session('variant').agentKind, 'claude-code');
    assert.deepEqual(h.events.filter((e) => e.kind === 'mark').map((e) => e.name), ['compaction', 'notification', 'hook_mark']);
  });

  it('merge_metadata_handles_objects_nulls_and_scalars', () => {
    assert.deepEqual(mergeMetadata({ a: 1 }, { b: 2, c: null }), { a: 1, b: 2 });
    assert.deepEqual(mergeMetadata(null, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeMetadata({ a: 1 }, null), { a: 1 });
    assert.deepEqual(mergeMetadata('left', 'right'), { metadata: 'left', extra_metadata: 'right' });
  });

  it('subagent end after a completed subagent is ignored (§3.11)', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'done' }), subagentStarted({ sessionId: 'done', subagentId: 'w' }), subagentEnded({ sessionId: 'done', subagentId: 'w' })]);
    const before = h.events.length;
    h.apply([subagentEnded({ sessionId: 'done', subagentId: 'w', payload: { again: true } })]);
    assert.equal(h.events.length, before);
  });
});
