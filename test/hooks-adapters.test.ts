/**
 * Ports of NeMo-Relay `crates/cli/tests/coverage/adapters_tests.rs` at 40bd7a03c (relay-cli.md §4.1,
 * A1–A27): one test per Rust test, same name, same inputs and expectations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringAt } from '../src/hooks/index.js';
import { valueAt } from '../src/json/value.js';
import { adapt, eventOf, typesOf } from './fixtures/hooks/harness.js';

describe('adapters_tests.rs (relay-cli.md §4.1)', () => {
  it('maps_claude_canonical_tool_payload', () => {
    const outcome = adapt('claude-code', {
      session_id: 'claude-session',
      transcript_path: '/tmp/transcript.jsonl',
      cwd: '/workspace',
      hook_event_name: 'PreToolUse',
      tool_use_id: 'toolu-1',
      tool_name: 'Read',
      tool_input: { file_path: 'README.md' },
    });
    const event = eventOf(outcome, 'ToolStarted');
    assert.equal(event.sessionId, 'claude-session');
    assert.equal(event.toolCallId, 'toolu-1');
    assert.equal(event.toolName, 'Read');
    assert.deepEqual(event.arguments, { file_path: 'README.md' });
    assert.equal(event.metadata.transcript_path, '/tmp/transcript.jsonl');
    assert.equal(outcome.response.continue, true);
    assert.deepEqual(outcome.response.hookSpecificOutput, { hookEventName: 'PreToolUse', permissionDecision: 'allow' });
  });

  it('maps_claude_post_tool_failure_with_canonical_fields', () => {
    const outcome = adapt('claude-code', {
      session_id: 'claude-session',
      hook_event_name: 'PostToolUseFailure',
      tool_use_id: 'toolu-1',
      tool_name: 'Bash',
      tool_input: { command: 'false' },
      error: 'failed',
      is_interrupt: false,
      duration_ms: 12,
    });
    const event = eventOf(outcome, 'ToolEnded');
    assert.equal(event.toolCallId, 'toolu-1');
    assert.equal(event.toolName, 'Bash');
    assert.deepEqual(event.result, { error: 'failed', is_interrupt: false, duration_ms: 12 });
    assert.equal(event.status, 'error');
  });

  it('maps_claude_permission_denied_as_tool_end', () => {
    const outcome = adapt('claude-code', {
      session_id: 'claude-session',
      hook_event_name: 'PermissionDenied',
      tool_use_id: 'toolu-denied',
      tool_name: 'Bash',
      tool_input: { command: 'rm -rf /tmp/project' },
      reason: 'policy',
    });
    const event = eventOf(outcome, 'ToolEnded');
    assert.equal(event.toolCallId, 'toolu-denied');
    assert.equal(event.status, 'denied');
    assert.deepEqual(event.result, { reason: 'policy' });
  });

  it('maps_claude_subagent_canonical_agent_id', () => {
    const outcome = adapt('claude-code', {
      session_id: 'claude-session',
      hook_event_name: 'SubagentStart',
      agent_id: 'agent-worker-1',
      agent_type: 'general-purpose',
    });
    const event = eventOf(outcome, 'SubagentStarted');
    assert.equal(event.subagentId, 'agent-worker-1');
    assert.equal(event.metadata.agent_type, 'general-purpose');
  });

  it('maps_claude_subagent_stop', () => {
    const outcome = adapt('claude-code', { session_id: 'claude-session', hook_event_name: 'SubagentStop', agent_id: 'agent-worker-1' });
    assert.equal(eventOf(outcome, 'SubagentEnded').subagentId, 'agent-worker-1');
  });

  it('maps_claude_stop_response_shape', () => {
    const outcome = adapt('claude-code', { session_id: 'claude-session', hook_event_name: 'Stop' });
    // Claude's hook output schema rejects null optional fields such as stopReason: they must be absent.
    assert.deepEqual(outcome.response, { continue: true });
    assert.equal('stopReason' in outcome.response, false);
  });

  it('stop_hook_emits_turn_ended_for_codex', () => {
    const outcome = adapt('codex', { session_id: 'codex-session', hook_event_name: 'Stop' });
    assert.ok(typesOf(outcome).includes('TurnEnded'), `codex Stop must produce TurnEnded: ${typesOf(outcome).join(',')}`);
  });

  it('stop_hook_emits_turn_ended_for_claude', () => {
    const outcome = adapt('claude-code', { session_id: 'claude-session', hook_event_name: 'Stop' });
    assert.ok(typesOf(outcome).includes('TurnEnded'), `claude Stop must produce TurnEnded: ${typesOf(outcome).join(',')}`);
  });

  it('stop_hook_does_not_double_emit_for_cursor_agent_end', () => {
    const outcome = adapt('cursor', { session_id: 'cursor-session', hook_event_name: 'stop' });
    assert.equal(outcome.events[0]?.type, 'AgentEnded');
    assert.ok(!typesOf(outcome).includes('TurnEnded'), 'cursor stop must not also produce TurnEnded');
  });

  it('adapter_string_lookup_accepts_scalar_values_only', () => {
    const payload = { number: 7, boolean: false, object: { nested: true } };
    assert.equal(stringAt(payload, 'number'), '7');
    assert.equal(stringAt(payload, 'boolean'), 'false');
    assert.equal(stringAt(payload, 'object'), undefined);
  });

  it('maps_cursor_subagent_and_permission_response', () => {
    const outcome = adapt('cursor', {
      session_id: 'cursor-session',
      project_dir: '/repo',
      user_email: 'dev@example.com',
      hook_event_name: 'beforeShellExecution',
      subagent: { id: 'worker' },
      tool_call_id: 'shell-1',
      tool_name: 'shell',
      input: { command: 'cargo test' },
    });
    const event = eventOf(outcome, 'ToolStarted');
    assert.equal(event.sessionId, 'cursor-session');
    assert.equal(event.subagentId, 'worker');
    assert.equal(event.metadata.project_dir, '/repo');
    assert.equal(event.metadata.user_email, 'dev@example.com');
    assert.equal(outcome.response.permission, 'allow');
    assert.equal('user_message' in outcome.response, false);
    assert.equal('agent_message' in outcome.response, false);
  });

  it('keeps_codex_response_unwrapped', () => {
    const outcome = adapt('codex', { session_id: 'codex-session', hook_event_name: 'sessionStart' });
    eventOf(outcome, 'AgentStarted');
    assert.deepEqual(outcome.response, {});
  });

  it('maps_hermes_shell_hook_tool_payload', () => {
    const outcome = adapt('hermes', {
      hook_event_name: 'pre_tool_call',
      tool_name: 'terminal',
      tool_input: { command: 'pwd' },
      session_id: 'hermes-session',
      extra: { task_id: 'task-1', tool_call_id: 'tool-1' },
    });
    const event = eventOf(outcome, 'ToolStarted');
    assert.equal(event.agentKind, 'hermes');
    assert.equal(event.sessionId, 'hermes-session');
    assert.equal(event.toolCallId, 'tool-1');
    assert.equal(event.toolName, 'terminal');
    assert.deepEqual(event.arguments, { command: 'pwd' });
    assert.deepEqual(outcome.response, {});
  });

  it('drops_uncorrelatable_hermes_pre_tool_call', () => {
    const outcome = adapt('hermes', {
      hook_event_name: 'pre_tool_call',
      task_id: 'task-1',
      tool_name: 'terminal',
      tool_input: { command: 'pwd' },
    });
    assert.deepEqual(outcome.events, []);
    assert.deepEqual(outcome.response, {});
  });

  it('maps_hermes_subagent_child_identifiers', () => {
    const outcome = adapt('hermes', {
      hook_event_name: 'subagent_start',
      session_id: 'parent-session',
      extra: { child_session_id: 'child-session', child_subagent_id: 'sa-1', parent_turn_id: 'turn-1' },
    });
    const event = eventOf(outcome, 'SubagentStarted');
    assert.equal(event.agentKind, 'hermes');
    assert.equal(event.sessionId, 'parent-session');
    assert.equal(event.subagentId, 'sa-1');
    assert.equal(stringAt(event.payload, 'extra.child_session_id'), 'child-session');
  });

  it('maps_hermes_camel_case_child_subagent_identifiers', () => {
    for (const [payload, expected] of [
      [{ hook_event_name: 'subagent_start', session_id: 'parent-session', childSubagentId: 'sa-camel-top' }, 'sa-camel-top'],
      [{ hook_event_name: 'subagent_start', session_id: 'parent-session', extra: { childSubagentId: 'sa-camel-extra' } }, 'sa-camel-extra'],
    ] as const) {
      assert.equal(eventOf(adapt('hermes', payload), 'SubagentStarted').subagentId, expected);
    }
  });

  it('maps_hermes_real_session_boundary_without_closing_per_turn_end', () => {
    const perTurn = adapt('hermes', { hook_event_name: 'on_session_end', session_id: 'hermes-session' });
    assert.deepEqual(typesOf(perTurn), ['TurnEnded']);
    const finalized = adapt('hermes', { hook_event_name: 'on_session_finalize', session_id: 'hermes-session' });
    assert.deepEqual(typesOf(finalized), ['AgentEnded']);
  });

  it('maps_hermes_hook_event_name_and_subagent_from_extra_payload', () => {
    const outcome = adapt('hermes', { session_id: 'hermes-session', extra: { hook_event_name: 'subagent_stop', subagent_id: 'worker-1' } });
    const event = eventOf(outcome, 'SubagentEnded');
    assert.equal(event.eventName, 'subagent_stop');
    assert.equal(event.subagentId, 'worker-1');
    assert.equal(event.sessionId, 'hermes-session');
  });

  it('maps_hermes_api_hooks_to_llm_lifecycle', () => {
    const started = eventOf(
      adapt('hermes', {
        hook_event_name: 'pre_api_request',
        session_id: 'hermes-session',
        extra: {
          task_id: 'task-1', api_call_count: 2, model: 'qwen', provider: 'custom', base_url: 'http://localhost:11434/v1',
          api_mode: 'chat_completions', message_count: 3, tool_count: 1, approx_input_tokens: 12, request_char_count: 456,
          max_tokens: 1024,
        },
      }),
      'LlmStarted',
    );
    assert.equal(started.sessionId, 'hermes-session');
    assert.equal(started.apiCallId, 'hermes-session:task-1:2');
    assert.equal(started.provider, 'custom');
    assert.equal(started.modelName, 'qwen');
    assert.equal(valueAt(started.request, 'message_count'), 3);
    assert.equal(valueAt(started.request, 'fidelity.provider_payload_exact'), false);
    assert.equal(started.metadata.provider_payload_exact, false);

    const ended = eventOf(
      adapt('hermes', {
        hook_event_name: 'post_api_request',
        session_id: 'hermes-session',
        extra: {
          task_id: 'task-1', api_call_count: 2, model: 'qwen', response_model: 'qwen', provider: 'custom', api_duration: 0.25,
          finish_reason: 'stop', usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 3 } },
        },
      }),
      'LlmEnded',
    );
    assert.equal(ended.apiCallId, 'hermes-session:task-1:2');
    assert.equal(valueAt(ended.response, 'usage.prompt_tokens'), 10);
    assert.equal(valueAt(ended.response, 'usage.completion_tokens'), 5);
  });

  it('maps_hermes_exact_api_hook_payloads_to_llm_lifecycle', () => {
    const started = eventOf(
      adapt('hermes', {
        hook_event_name: 'pre_api_request',
        session_id: 'hermes-session',
        extra: {
          task_id: 'task-1', api_request_id: 'turn-1:api:2', api_call_count: 2, model: 'qwen', provider: 'custom',
          request: {
            method: 'POST',
            body: {
              model: 'qwen',
              messages: [{ role: 'user', content: 'hello' }],
              tools: [{ type: 'function', function: { name: 'search_files' } }],
            },
          },
        },
      }),
      'LlmStarted',
    );
    assert.equal(started.apiCallId, 'turn-1:api:2');
    assert.deepEqual(started.request, {
      model: 'qwen',
      messages: [{ role: 'user', content: 'hello' }],
      tools: [{ type: 'function', function: { name: 'search_files' } }],
    });
    assert.equal(started.metadata.provider_payload_exact, true);
    assert.equal(started.metadata.fidelity_source, 'hermes_api_hooks_sanitized');

    const toolCall = { id: 'call-1', type: 'function', function: { name: 'search_files', arguments: '{"query":"needle"}' } };
    const ended = eventOf(
      adapt('hermes', {
        hook_event_name: 'post_api_request',
        session_id: 'hermes-session',
        extra: {
          task_id: 'task-1', api_request_id: 'turn-1:api:2', api_call_count: 2, model: 'qwen',
          response: {
            model: 'qwen',
            finish_reason: 'tool_calls',
            assistant_message: { role: 'assistant', content: '', tool_calls: [toolCall] },
            usage: { prompt_tokens: 10, completion_tokens: 5 },
          },
        },
      }),
      'LlmEnded',
    );
    assert.equal(ended.apiCallId, 'turn-1:api:2');
    assert.deepEqual(ended.response, {
      content: '',
      tool_calls: [toolCall],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
      model: 'qwen',
      finish_reason: 'tool_calls',
    });
    assert.equal(ended.metadata.provider_payload_exact, true);
  });

  it('maps_hermes_api_request_error_to_llm_end', () => {
    const event = eventOf(
      adapt('hermes', {
        hook_event_name: 'api_request_error',
        session_id: 'hermes-session',
        extra: {
          task_id: 'task-1', api_request_id: 'turn-1:api:3', api_call_count: 3, model: 'qwen', provider: 'custom',
          status_code: 502, retry_count: 1, max_retries: 2, retryable: true, reason: 'upstream',
          error: { type: 'BadGateway', message: 'gateway upstream error' },
        },
      }),
      'LlmEnded',
    );
    assert.equal(event.apiCallId, 'turn-1:api:3');
    assert.equal(valueAt(event.response, 'status_code'), 502);
    assert.equal(stringAt(event.response, 'error.message'), 'gateway upstream error');
    assert.equal(event.metadata.provider_payload_exact, false);
  });

  it('maps_hermes_null_request_as_lossy_summary', () => {
    const event = eventOf(
      adapt('hermes', {
        hook_event_name: 'pre_api_request',
        session_id: 'hermes-session',
        extra: { task_id: 'task-1', api_call_count: 4, model: 'qwen', provider: 'custom', request: null, message_count: 2 },
      }),
      'LlmStarted',
    );
    assert.equal(event.apiCallId, 'hermes-session:task-1:4');
    assert.equal(valueAt(event.request, 'message_count'), 2);
    assert.equal(valueAt(event.request, 'fidelity.provider_payload_exact'), false);
    assert.equal(event.metadata.provider_payload_exact, false);
  });

  it('normalizes_mark_style_events_and_header_session_ids', () => {
    const headers = { 'x-nemo-relay-session-id': 'header-session', 'x-nemo-relay-config-profile': 'coverage' };
    for (const [eventName, expected] of [
      ['UserPromptSubmit', 'PromptSubmitted'],
      ['afterAgentResponse', 'LlmHint'],
      ['PreCompact', 'Compaction'],
      ['Notification', 'Notification'],
      ['Unrecognized.Event', 'HookMark'],
    ] as const) {
      const outcome = adapt('cursor', { eventName, model: 'model-a', cwd: '/repo' }, headers);
      const event = eventOf(outcome, expected);
      if (expected === 'PromptSubmitted') {
        assert.equal(outcome.events[1]?.type, 'LlmHint', 'prompt hooks should also emit a private LLM hint');
      }
      assert.equal(event.sessionId, 'header-session', eventName);
      assert.equal(event.metadata.model, 'model-a', eventName);
      assert.equal(event.metadata.cwd, '/repo', eventName);
      assert.equal(event.metadata.gateway_config_profile, 'coverage', eventName);
    }
  });

  it('maps_hermes_llm_hooks_to_private_hints', () => {
    const outcome = adapt('hermes', {
      hook_event_name: 'pre_llm_call',
      session_id: 'hermes-session',
      model: 'anthropic/claude-sonnet',
      request_id: 'req-1',
    });
    const event = eventOf(outcome, 'LlmHint');
    assert.equal(event.sessionId, 'hermes-session');
    assert.equal(event.eventName, 'pre_llm_call');
    assert.equal(event.model, 'anthropic/claude-sonnet');
    assert.equal(event.requestId, 'req-1');
  });

  it('extracts_tool_fields_from_fallback_payload_shapes', () => {
    const outcome = adapt('codex', {
      conversationId: 'conversation-1',
      event: 'toolEnded',
      tool: { id: 'tool-id', name: 'Shell' },
      arguments: { cmd: 'pwd' },
      result: { stdout: '/repo' },
      permission: 'allow',
    });
    const event = eventOf(outcome, 'ToolEnded');
    assert.equal(event.sessionId, 'conversation-1');
    assert.equal(event.toolCallId, 'tool-id');
    assert.equal(event.toolName, 'Shell');
    assert.deepEqual(event.arguments, { cmd: 'pwd' });
    assert.deepEqual(event.result, { stdout: '/repo' });
    assert.equal(event.status, 'allow');
  });

  it('generated_ids_are_used_when_payload_omits_identifiers', () => {
    const outcome = adapt('claude-code', { hook_event_name: 'PreToolUse', tool_input: { name: 'Read', file_path: 'Cargo.toml' } });
    const event = eventOf(outcome, 'ToolStarted');
    assert.ok(event.sessionId.startsWith('hook-'), event.sessionId);
    assert.ok(event.toolCallId.startsWith('tool-'), event.toolCallId);
    assert.equal(event.toolName, 'Read');
  });

  it('stop_responses_preserve_vendor_shapes', () => {
    const claude = adapt('claude-code', { session_id: 'claude-session', hook_event_name: 'Stop' });
    assert.equal(claude.events[0]?.type, 'LlmHint');
    assert.equal('stopReason' in claude.response, false);

    const codex = adapt('codex', { session_id: 'codex-session', hook_event_name: 'stop' });
    assert.equal(codex.events[0]?.type, 'LlmHint');
    assert.deepEqual(codex.response, {});

    const cursor = adapt('cursor', { session_id: 'cursor-session', hook_event_name: 'stop' });
    assert.equal(cursor.events[0]?.type, 'AgentEnded');
    assert.deepEqual(cursor.response, { continue: true });
  });
});
