/**
 * Ports of NeMo-Relay's alignment tests at 40bd7a03c: `alignment_tests.rs` (relay-cli.md §4.2,
 * L1–L17), `alignment_codex_tests.rs` (§4.3, X1, X4–X8) and `alignment_claude_code_tests.rs`
 * (§4.4, C1–C6). One test per Rust test, same name. X2 and X3 (upstream URL and auth rewriting)
 * do not apply offline; see test/README.md.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayIdentifier, gatewayRequestId, gatewaySubagentId } from '../src/gateway/identifiers.js';
import { llmOwnerMetadata } from '../src/gateway/owner-metadata.js';
import { requestAffinityKey } from '../src/gateway/request-affinity.js';
import { agentKindForProvider, type GatewayRouteKind } from '../src/gateway/routes.js';
import { resolveGatewaySession } from '../src/gateway/session-chain.js';
import { jsonStringAt, jsonValueAt, mergeMetadata } from '../src/hooks/index.js';
import { headersFromObject } from '../src/ingest/records/headers.js';
import type { Json } from '../src/json/value.js';
import { routeEventThroughAlias } from '../src/sessions/alignment/alias-routing.js';
import { completedSubagentFromAgentTool } from '../src/sessions/alignment/claude-agent-tool.js';
import { augmentCodexMetadata, codexAliasForChild, codexSubagentContext, codexSubagentStartEvent } from '../src/sessions/alignment/codex-child.js';
import type { SessionInput } from '../src/sessions/events.js';
import { emitsSessionAgentScope } from '../src/sessions/session.js';
import { agentEnded, agentStarted, llmHint, llmStarted, llmEnded, subagentEnded, subagentStarted, toolEnded, toolStarted } from './fixtures/sessions/harness.js';

const sessionId = (headers: Record<string, string>, body: Json, route: GatewayRouteKind) => resolveGatewaySession({ headers: headersFromObject(headers), body }, route).sessionId;
const request = (headers: Record<string, string>, body: Json) => ({ headers: headersFromObject(headers), body });
const key = (content: Json) => requestAffinityKey(content);

describe('alignment_tests.rs (relay-cli.md §4.2)', () => {
  it('gateway_session_id_uses_explicit_claude_then_codex_fallbacks', () => {
    const body = { prompt_cache_key: 'codex-thread', client_metadata: { 'x-codex-installation-id': 'install-1' }, session_id: 'body-thread' };
    const headers: Record<string, string> = {};
    assert.equal(sessionId(headers, body, 'OpenAiResponses'), 'codex-thread');
    headers['x-claude-code-session-id'] = 'claude-thread';
    assert.equal(sessionId(headers, body, 'OpenAiResponses'), 'claude-thread');
    headers['x-nemo-relay-session-id'] = 'explicit-thread';
    assert.equal(sessionId(headers, body, 'OpenAiResponses'), 'explicit-thread');
  });

  it('gateway_session_id_accepts_openai_body_session_id_fallback', () => {
    assert.equal(sessionId({}, { session_id: ' body-session ' }, 'OpenAiChatCompletions'), 'body-session');
    assert.equal(sessionId({}, { session_id: 'body-session' }, 'AnthropicMessages'), undefined);
    assert.equal(sessionId({}, { session_id: '' }, 'OpenAiChatCompletions'), undefined);
    assert.equal(sessionId({}, { session_id: 42 }, 'OpenAiResponses'), undefined);
  });

  it('gateway_subagent_and_identifier_helpers_respect_header_precedence', () => {
    const body = { conversation: { id: 42 }, request: { id: 'request-body' }, object: { id: { nested: true } } };
    const headers = { 'x-nemo-relay-subagent-id': 'worker-1', 'x-nemo-relay-request-id': 'request-header' };
    assert.equal(gatewaySubagentId(request(headers, body)), 'worker-1');
    assert.equal(gatewayIdentifier(request(headers, body), 'x-nemo-relay-request-id', [['request', 'id']]), 'request-header');
    assert.equal(gatewayRequestId(request(headers, body)), 'request-header');
    assert.equal(gatewayIdentifier(request({}, body), 'missing', [['conversation', 'id']]), '42');
    assert.equal(gatewayIdentifier(request({}, body), 'missing', [['object', 'id']]), undefined);
  });

  it('agent_kind_inference_covers_known_provider_names', () => {
    assert.equal(agentKindForProvider('anthropic.messages'), 'claude-code');
    assert.equal(agentKindForProvider('anthropic.count_tokens'), 'claude-code');
    assert.equal(agentKindForProvider('openai.responses'), 'codex');
    assert.equal(agentKindForProvider('openai.chat_completions'), 'gateway');
  });

  it('session_agent_scope_policy_skips_unbounded_coding_agent_sessions', () => {
    assert.equal(emitsSessionAgentScope('claude-code'), false);
    assert.equal(emitsSessionAgentScope('codex'), false);
    assert.equal(emitsSessionAgentScope('gateway'), true);
  });

  it('request_affinity_key_reads_messages_content_blocks', () => {
    const content = {
      messages: [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>\nToday is 2026-05-19.\n</system-reminder>' }, { type: 'text', text: '  Analyze the python binding\n\nwith detail.  ' }] }],
    };
    assert.equal(key(content), 'Analyze the python binding with detail.');
  });

  it('request_affinity_key_reads_chat_completion_string_messages', () => {
    const content = { messages: [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: 'Review the Rust CLI gateway alignment code.' }] };
    assert.equal(key(content), 'Review the Rust CLI gateway alignment code.');
  });

  it('request_affinity_key_preserves_leading_tagged_context_text', () => {
    const text = '<runtime-context>\nTrace run 7.\n</runtime-context>\n<system-reminder>\nToday is 2026-05-19.\n</system-reminder>\n\nReview the gateway correlation logic.';
    assert.equal(
      key({ messages: [{ role: 'user', content: text }] }),
      '<runtime-context> Trace run 7. </runtime-context> <system-reminder> Today is 2026-05-19. </system-reminder> Review the gateway correlation logic.',
    );
  });

  it('request_affinity_key_keeps_task_after_large_prefix', () => {
    const task = 'Review the gateway correlation logic.';
    const k = key({ messages: [{ role: 'user', content: `<runtime-context>${'volatile context '.repeat(80)}</runtime-context> ${task}` }] });
    assert.ok(k?.startsWith('<runtime-context>volatile context'));
    assert.ok(k?.endsWith(task));
  });

  it('request_affinity_key_preserves_fully_tagged_prompt_text', () => {
    assert.equal(key({ messages: [{ role: 'user', content: '<task>Review the gateway correlation logic.</task>' }] }), '<task>Review the gateway correlation logic.</task>');
  });

  it('request_affinity_key_prefers_latest_task_message_over_root_history', () => {
    const content = {
      messages: [
        { role: 'user', content: 'Can you analyze the whole codebase with parallel subagents?' },
        { role: 'assistant', content: 'I will delegate the directory reviews.' },
        { role: 'user', content: 'Thoroughly explore the crates/ffi directory.' },
      ],
    };
    assert.equal(key(content), 'Thoroughly explore the crates/ffi directory.');
  });

  it('request_affinity_key_reads_responses_input_items_and_prompt', () => {
    assert.equal(key({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'Analyze the Node binding architecture.' }] }] }), 'Analyze the Node binding architecture.');
    assert.equal(key({ prompt: 'Summarize the Go binding architecture.' }), 'Summarize the Go binding architecture.');
  });

  it('request_affinity_key_ignores_count_token_style_payloads', () => {
    assert.equal(key('// source text without a chat user task'), undefined);
  });

  it('request_affinity_key_ignores_tool_results_and_sidecar_json', () => {
    assert.equal(key({ messages: [{ role: 'user', content: [{ type: 'tool_result', content: '// SPDX-FileCopyrightText: Copyright (c) 2026\npub fn source() {}' }] }] }), undefined);
    assert.equal(key({ input: '{"parentUuid":"scope","childUuid":"scope"}' }), undefined);
    assert.equal(key({ input: '  [{"parentUuid":"scope","childUuid":"scope"}]' }), undefined);
  });

  it('route_event_through_alias_covers_all_event_variants', () => {
    const aliases = new Map([['child', { parentSessionId: 'parent', subagentId: 'child', metadata: { alias_metadata: true } }]]);
    const on = (name: string) => ({ sessionId: 'child', agentKind: 'codex' as const, eventName: name, payload: { event: name }, metadata: { event_metadata: name } });
    const session = (type: 'TurnEnded' | 'PromptSubmitted' | 'Compaction' | 'Notification' | 'HookMark', name: string): SessionInput => ({ type, ...on(name) });
    const cases: SessionInput[] = [
      agentStarted(on('SessionStart')),
      agentEnded(on('SessionEnd')),
      session('TurnEnded', 'Stop'),
      session('PromptSubmitted', 'Prompt'),
      session('Compaction', 'Compact'),
      session('Notification', 'Notify'),
      session('HookMark', 'Mark'),
      subagentStarted({ ...on('SubagentStart'), subagentId: 'nested-child' }),
      subagentEnded({ ...on('SubagentEnd'), subagentId: 'nested-child' }),
      llmHint({ ...on('Stop'), subagentId: 'payload-child', agentType: 'explorer', conversationId: 'conversation-1', generationId: 'generation-1', requestId: 'request-1', model: 'gpt-test' }),
      llmStarted({ ...on('LlmStart'), apiCallId: 'api-call-1', provider: 'openai.responses', modelName: 'gpt-test', request: { input: 'hello' }, response: { output_text: 'hi' } }),
      llmEnded({ ...on('LlmEnd'), apiCallId: 'api-call-1', provider: 'openai.responses', modelName: 'gpt-test', request: { input: 'hello' }, response: { output_text: 'hi' } }),
      toolStarted({ ...on('ToolStart'), toolCallId: 'tool-1', toolName: 'exec_command', subagentId: 'payload-child', arguments: { cmd: 'true' }, result: { ok: true }, status: 'success' }),
      toolEnded({ ...on('ToolEnd'), toolCallId: 'tool-1', toolName: 'exec_command', subagentId: 'payload-child', arguments: { cmd: 'true' }, result: { ok: true }, status: 'success' }),
    ];
    for (const event of cases) {
      const closesAlias = event.type === 'AgentEnded' || event.type === 'TurnEnded';
      const routed = routeEventThroughAlias(event, aliases);
      assert.equal(routed.event.sessionId, 'parent', event.type);
      assert.equal((routed.event.metadata as Record<string, Json>).alias_metadata, true, `alias metadata on ${event.type}`);
      assert.equal(routed.finishedAlias, closesAlias ? 'child' : undefined, event.type);
      switch (routed.event.type) {
        case 'AgentStarted':
        case 'AgentEnded':
          assert.fail(`unexpected ${routed.event.type}`);
          break;
        case 'SubagentStarted':
        case 'SubagentEnded':
          assert.ok(routed.event.subagentId !== '');
          break;
        case 'LlmHint':
        case 'ToolStarted':
        case 'ToolEnded':
          assert.equal(routed.event.subagentId, 'child', event.type);
          break;
        default:
          break;
      }
    }
  });

  it('route_event_without_alias_is_unchanged', () => {
    const event = toolStarted({ sessionId: 'unknown-child', agentKind: 'codex', toolCallId: 'tool-1', toolName: 'exec_command', subagentId: 'payload-child' });
    const routed = routeEventThroughAlias(event, new Map([['child', { parentSessionId: 'parent', subagentId: 'child', metadata: { alias_metadata: true } }]]));
    assert.equal(routed.event, event);
    assert.equal(routed.finishedAlias, undefined);
  });

  it('json_helpers_and_metadata_merge_cover_edge_shapes', () => {
    const payload = { string: 'value', number: 7, boolean: false, empty: '', object: { nested: true } };
    assert.equal(jsonStringAt(payload, ['missing', 'string']), 'value');
    assert.equal(jsonStringAt(payload, ['number']), '7');
    assert.equal(jsonStringAt(payload, ['boolean']), 'false');
    assert.equal(jsonStringAt(payload, ['empty']), undefined);
    assert.equal(jsonStringAt(payload, ['object']), undefined);
    assert.deepEqual(jsonValueAt(payload, ['object']), { nested: true });
    assert.deepEqual(mergeMetadata({ a: 1 }, { b: 2, c: null }), { a: 1, b: 2 });
    assert.deepEqual(mergeMetadata(null, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeMetadata({ a: 1 }, null), { a: 1 });
    assert.deepEqual(mergeMetadata('left', 'right'), { metadata: 'left', extra_metadata: 'right' });
  });
});

const threadSpawn = (parent: string) => ({ source: { subagent: { thread_spawn: { parent_thread_id: parent, depth: 2, agent_nickname: 'Curie', agent_role: 'worker' } } } });
const codexStart = (child: string, payload: Json, metadata: Json) => agentStarted({ sessionId: child, agentKind: 'codex', payload, metadata });

describe('alignment_codex_tests.rs (relay-cli.md §4.3)', () => {
  it('prompt_cache_session_id_requires_codex_responses_metadata', () => {
    const body = { prompt_cache_key: 'thread-1', client_metadata: { 'x-codex-installation-id': 'install-1' } };
    const codexLink = (b: Json, route: GatewayRouteKind) => {
      const r = resolveGatewaySession({ headers: headersFromObject({}), body: b }, route);
      return r.link === 'CODEX_PROMPT_CACHE_KEY' ? r.sessionId : undefined;
    };
    assert.equal(codexLink(body, 'OpenAiResponses'), 'thread-1');
    assert.equal(codexLink(body, 'OpenAiChatCompletions'), undefined);
    assert.equal(codexLink({ prompt_cache_key: 'plain-cache' }, 'OpenAiResponses'), undefined);
    assert.equal(codexLink({ prompt_cache_key: '', client_metadata: { 'x-codex-installation-id': 'install-1' } }, 'OpenAiResponses'), undefined);
  });

  it('subagent_context_reads_payload_metadata_and_rejects_non_subagents', () => {
    const fromPayload = codexSubagentContext(codexStart('child', threadSpawn('parent'), {}));
    assert.deepEqual(fromPayload, { provider: 'codex', parentSessionId: 'parent', nickname: 'Curie', role: 'worker', depth: '2' });
    assert.equal(codexSubagentContext(codexStart('child', {}, threadSpawn('parent')))?.parentSessionId, 'parent');
    assert.equal(codexSubagentContext(codexStart('child', threadSpawn('child'), {})), undefined);
    assert.equal(codexSubagentContext({ ...codexStart('child', threadSpawn('parent'), {}), agentKind: 'claude-code' }), undefined);
  });

  it('subagent_context_reads_first_transcript_line', () => {
    const first = JSON.stringify({ session_meta: { payload: { source: { subagent: { thread_spawn: { parent_thread_id: 'parent-from-transcript', agent_nickname: 'Noether', agent_role: 'explorer' } } } } } });
    const files: Record<string, string> = { '/tmp/rollout.jsonl': `${first}\n` };
    const context = codexSubagentContext(codexStart('child', { transcript_path: '/tmp/rollout.jsonl' }, {}), (path) => files[path]);
    assert.equal(context?.parentSessionId, 'parent-from-transcript');
    assert.equal(context?.nickname, 'Noether');
    assert.equal(context?.role, 'explorer');
    // Without a reader (the offline default) the transcript is not consulted.
    assert.equal(codexSubagentContext(codexStart('child', { transcript_path: '/tmp/rollout.jsonl' }, {})), undefined);
  });

  it('subagent_metadata_start_event_and_alias_share_thread_fields', () => {
    const event = codexStart('child', threadSpawn('parent'), { keep: true });
    const context = codexSubagentContext(event)!;
    assert.deepEqual(augmentCodexMetadata(event.metadata, context), {
      keep: true, thread_source: 'subagent', codex_parent_thread_id: 'parent', codex_subagent_depth: '2', agent_nickname: 'Curie', agent_role: 'worker',
    });
    const start = codexSubagentStartEvent(event, context);
    assert.equal(start.sessionId, 'parent');
    assert.equal(start.subagentId, 'child');
    assert.equal((start.metadata as Record<string, Json>).codex_subagent_session_id, 'child');
    const alias = codexAliasForChild('child', context);
    assert.equal(alias.parentSessionId, 'parent');
    assert.equal(alias.subagentId, 'child');
    assert.deepEqual(alias.metadata, { thread_source: 'subagent', codex_parent_thread_id: 'parent', codex_subagent_session_id: 'child' });
  });

  it('llm_owner_metadata_filters_codex_debug_fields', () => {
    const scope = {
      thread_source: 'subagent', codex_parent_thread_id: 'parent', codex_subagent_session_id: 'child', codex_subagent_depth: 1, agent_nickname: 'Ada', agent_role: null,
      transcript_path: '/tmp/transcript.jsonl', unrelated: 'skip',
    };
    assert.deepEqual(llmOwnerMetadata(scope), { thread_source: 'subagent', codex_parent_thread_id: 'parent', codex_subagent_session_id: 'child', codex_subagent_depth: 1, agent_nickname: 'Ada' });
    assert.equal(llmOwnerMetadata({ unrelated: true }), null);
    assert.equal(llmOwnerMetadata('scalar'), null);
    assert.equal(llmOwnerMetadata(undefined), null);
  });

  it('owns_only_openai_responses_gateway_provider', () => {
    assert.equal(agentKindForProvider('openai.responses'), 'codex');
    assert.notEqual(agentKindForProvider('openai.chat_completions'), 'codex');
    assert.notEqual(agentKindForProvider('anthropic.messages'), 'codex');
  });
});

const agentTool = (agentKind: 'claude-code' | 'codex', toolName: string, result: Json) => ({ agentKind, toolName, result });

describe('alignment_claude_code_tests.rs (relay-cli.md §4.4)', () => {
  it('owns_anthropic_gateway_providers_only', () => {
    assert.equal(agentKindForProvider('anthropic.messages'), 'claude-code');
    assert.equal(agentKindForProvider('anthropic.count_tokens'), 'claude-code');
    assert.notEqual(agentKindForProvider('openai.responses'), 'claude-code');
  });

  it('session_id_from_headers_reads_claude_native_header', () => {
    const r = (headers: Record<string, string>) => resolveGatewaySession({ headers: headersFromObject(headers), body: null }, 'AnthropicMessages');
    assert.equal(r({}).sessionId, undefined);
    assert.deepEqual([r({ 'x-claude-code-session-id': 'claude-session' }).sessionId, r({ 'x-claude-code-session-id': 'claude-session' }).link], ['claude-session', 'HEADER_CLAUDE_CODE_SESSION_ID']);
  });

  it('completed_subagent_from_agent_tool_accepts_known_result_keys', () => {
    for (const [key, expected] of [['agentId', 'agent-id'], ['agent_id', 'agent-id-snake'], ['subagentId', 'subagent-id'], ['subagent_id', 'subagent-id-snake']]) {
      assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Agent', { [key]: expected, status: 'completed' })), expected, key);
    }
  });

  it('completed_subagent_from_agent_tool_rejects_async_launch_results', () => {
    for (const status of ['async_launched', 'started', 'running', 'in-progress']) {
      assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Agent', { agentId: 'worker', status })), undefined, status);
    }
  });

  it('completed_subagent_from_agent_tool_requires_terminal_result_evidence', () => {
    assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Agent', { agentId: 'worker' })), undefined);
    assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Agent', { agentId: 'worker', totalDurationMs: 123 })), 'worker');
  });

  it('completed_subagent_from_agent_tool_rejects_unrelated_tools_and_agents', () => {
    assert.equal(completedSubagentFromAgentTool(agentTool('codex', 'Agent', { agentId: 'worker' })), undefined);
    assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Read', { agentId: 'worker' })), undefined);
    assert.equal(completedSubagentFromAgentTool(agentTool('claude-code', 'Agent', { status: 'completed' })), undefined);
  });
});
