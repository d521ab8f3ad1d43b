/** The common field extraction of relay-cli.md §1.2, shared by all four adapters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../src/json/value.js';
import { adapt, eventOf } from './fixtures/hooks/harness.js';

const tool = (payload: JsonObject, headers?: Record<string, string>) =>
  eventOf(adapt('claude-code', { hook_event_name: 'PreToolUse', ...payload }, headers), 'ToolStarted');
const toolEnd = (eventName: string, payload: JsonObject) =>
  eventOf(adapt('claude-code', { hook_event_name: eventName, session_id: 's', ...payload }), 'ToolEnded');
const mark = (payload: JsonObject, headers?: Record<string, string>) => eventOf(adapt('codex', payload, headers), 'HookMark');

describe('session id (§1.2)', () => {
  it('prefers the relay header, then the Claude header, then the payload', () => {
    const payload = { session_id: 'payload' };
    const both = { 'x-nemo-relay-session-id': 'relay', 'x-claude-code-session-id': 'claude' };
    assert.equal(mark(payload, both).sessionId, 'relay');
    assert.equal(mark(payload, both).sessionIdSource, 'header:x-nemo-relay-session-id');
    // The Claude header counts for every adapter in the seed, Codex included.
    assert.equal(mark(payload, { 'x-claude-code-session-id': 'claude' }).sessionId, 'claude');
    assert.equal(mark(payload).sessionIdSource, 'payload:session_id');
  });

  it('falls through headers that the live server would not have accepted', () => {
    const event = mark({ session_id: 'payload' }, { 'x-nemo-relay-session-id': 'séance', 'x-claude-code-session-id': '  ' });
    assert.equal(event.sessionId, 'payload');
  });

  it('tries the payload paths in order, skipping null, empty and non-scalar values', () => {
    const cases: [JsonObject, string, string][] = [
      [{ session_id: 's', sessionId: 'x' }, 's', 'session_id'],
      [{ session_id: '', sessionId: 'camel' }, 'camel', 'sessionId'],
      [{ session_id: null, session: { id: 'nested' } }, 'nested', 'session.id'],
      [{ session: { id: {} }, conversation_id: 'conv' }, 'conv', 'conversation_id'],
      [{ conversationId: 'convCamel', parent_session_id: 'parent' }, 'convCamel', 'conversationId'],
      [{ parent_session_id: 'parent', task_id: 'task' }, 'parent', 'parent_session_id'],
      [{ task_id: 42, extra: { session_id: 'extra' } }, '42', 'task_id'],
      [{ extra: { session_id: 'extra', task_id: 'extra-task' } }, 'extra', 'extra.session_id'],
      [{ extra: { task_id: 'extra-task' } }, 'extra-task', 'extra.task_id'],
    ];
    for (const [payload, value, path] of cases) {
      const event = mark(payload);
      assert.equal(event.sessionId, value, JSON.stringify(payload));
      assert.equal(event.sessionIdSource, `payload:${path}`, JSON.stringify(payload));
      assert.equal(event.sessionIdSynthetic, false);
    }
  });

  it('synthesizes hook-<uuid7> when nothing names a session', () => {
    const event = mark({ hook_event_name: 'Whatever' });
    assert.match(event.sessionId, /^hook-[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.equal(event.sessionIdSource, 'synthetic');
    assert.equal(event.sessionIdSynthetic, true);
  });
});

describe('event name (§1.2)', () => {
  it('reads the name paths in order, top level before extra, and keeps the raw spelling', () => {
    const cases: [JsonObject, string][] = [
      [{ hook_event_name: 'A', event_name: 'B' }, 'A'],
      [{ hook_event_name: '', event_name: 'B', eventName: 'C' }, 'B'],
      [{ eventName: 'C', event: 'D' }, 'C'],
      [{ event: 'D', type: 'E' }, 'D'],
      [{ type: 'E', name: 'F' }, 'E'],
      [{ name: 'F', extra: { hook_event_name: 'G' } }, 'F'],
      [{ extra: { hook_event_name: 'G', event_name: 'H' } }, 'G'],
      [{ extra: { event_name: 'H', eventName: 'I' } }, 'H'],
      [{ extra: { eventName: 'I', event: 'J' } }, 'I'],
      [{ extra: { event: 'J', type: 'K' } }, 'J'],
      [{ extra: { type: 'K', name: 'L' } }, 'K'],
      [{ extra: { name: 'L' } }, 'L'],
      [{ hook_event_name: { nested: 'no' }, name: 7 }, '7'],
    ];
    for (const [payload, name] of cases) assert.equal(mark(payload).eventName, name, JSON.stringify(payload));
  });

  it('is "unknown" when no path names the event', () => {
    const event = mark({ session_id: 's' });
    assert.equal(event.eventName, 'unknown');
    assert.equal(event.metadata.hook_event_name, 'unknown');
  });
});

describe('shared metadata (§1.2)', () => {
  it('holds agent kind, raw event name, profile header and exactly the seven top-level keys when string-like', () => {
    const event = mark(
      {
        hook_event_name: 'Custom.Event', cwd: '/w', transcript_path: '/t.jsonl', project_dir: '/p', user_email: 'u@e', model: 5,
        agent_id: true, agent_type: 'worker', prompt: 'not copied', session_id: 's', extra: { cwd: '/nested' },
      },
      { 'X-Nemo-Relay-Config-Profile': 'prof' },
    );
    assert.deepEqual(event.metadata, {
      agent_kind: 'codex', hook_event_name: 'Custom.Event', gateway_config_profile: 'prof', cwd: '/w', transcript_path: '/t.jsonl',
      project_dir: '/p', user_email: 'u@e', model: '5', agent_id: 'true', agent_type: 'worker',
    });
  });

  it('skips null, empty and object values', () => {
    const event = mark({ cwd: null, model: '', agent_type: { a: 1 }, session_id: 's' });
    assert.deepEqual(event.metadata, { agent_kind: 'codex', hook_event_name: 'unknown' });
  });

  it('is a fresh object per event, while the payload is the input itself', () => {
    const payload = { hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'hi' };
    const outcome = adapt('claude-code', payload);
    const [prompt, hint] = outcome.events;
    assert.ok(prompt !== undefined && hint !== undefined);
    assert.notEqual(prompt.metadata, hint.metadata);
    assert.deepEqual(prompt.metadata, hint.metadata);
    assert.ok(prompt.type === 'PromptSubmitted' && prompt.payload === payload);
  });
});

describe('subagent id (§1.2)', () => {
  it('follows the payload chain in order', () => {
    const cases: [JsonObject, string][] = [
      [{ subagent_id: 'a', subagentId: 'b' }, 'a'],
      [{ subagentId: 'b', child_subagent_id: 'c' }, 'b'],
      [{ child_subagent_id: 'c', childSubagentId: 'd' }, 'c'],
      [{ childSubagentId: 'd', agent_id: 'e' }, 'd'],
      [{ agent_id: 'e', subagent: { id: 'f' } }, 'e'],
      [{ subagent: { id: 'f' }, agent: { id: 'g' } }, 'f'],
      [{ agent: { id: 'g' }, extra: { subagent_id: 'h' } }, 'g'],
      [{ extra: { subagent_id: 'h', subagentId: 'i' } }, 'h'],
      [{ extra: { subagentId: 'i', child_subagent_id: 'j' } }, 'i'],
      [{ extra: { child_subagent_id: 'j', childSubagentId: 'k' } }, 'j'],
      [{ extra: { childSubagentId: 'k', agent_id: 'l' } }, 'k'],
      [{ extra: { agent_id: 'l', subagent: { id: 'm' } } }, 'l'],
      [{ extra: { subagent: { id: 'm' }, agent: { id: 'n' } } }, 'm'],
      [{ extra: { agent: { id: 'n' } } }, 'n'],
    ];
    for (const [payload, id] of cases) {
      const event = eventOf(adapt('claude-code', { hook_event_name: 'SubagentStart', session_id: 's', ...payload }), 'SubagentStarted');
      assert.equal(event.subagentId, id, JSON.stringify(payload));
    }
  });

  it('falls back to the subagent header, then to "subagent" for subagent events and to none for tools and hints', () => {
    const headers = { 'x-nemo-relay-subagent-id': 'from-header' };
    const started = (h?: Record<string, string>) =>
      eventOf(adapt('claude-code', { hook_event_name: 'SubagentStart', session_id: 's' }, h), 'SubagentStarted');
    assert.equal(started(headers).subagentId, 'from-header');
    assert.equal(started(headers).subagentIdSource, 'header:x-nemo-relay-subagent-id');
    assert.equal(started().subagentId, 'subagent');
    assert.equal(started().subagentIdSource, 'default');
    assert.equal(tool({ session_id: 's' }, headers).subagentId, 'from-header');
    assert.equal(tool({ session_id: 's' }).subagentId, undefined);
    assert.equal('subagentId' in tool({ session_id: 's' }), false);
    const hint = eventOf(adapt('claude-code', { hook_event_name: 'afterAgentResponse', session_id: 's' }), 'LlmHint');
    assert.equal(hint.subagentId, undefined);
  });
});

describe('LLM hint fields (§1.2)', () => {
  it('reads each field from its first usable path', () => {
    const hint = (payload: JsonObject) => eventOf(adapt('cursor', { hook_event_name: 'afterAgentResponse', session_id: 's', ...payload }), 'LlmHint');
    const first = hint({
      agent_id: 'a1', agent_type: 't1', conversation_id: 'c1', generation_id: 'g1', request_id: 'r1', model: 'm1', subagent_id: 'sa',
    });
    assert.deepEqual(
      [first.subagentId, first.agentId, first.agentType, first.conversationId, first.generationId, first.requestId, first.model],
      ['sa', 'a1', 't1', 'c1', 'g1', 'r1', 'm1'],
    );
    const second = hint({
      agent: { id: 'a2', type: 't2' }, conversationId: 'c2', generationId: 'g2', requestId: 'r2', model_name: 'm2',
    });
    assert.deepEqual(
      [second.subagentId, second.agentId, second.agentType, second.conversationId, second.generationId, second.requestId, second.model],
      ['a2', 'a2', 't2', 'c2', 'g2', 'r2', 'm2'],
    );
    const third = hint({
      agent: { name: 't3' }, conversation: { id: 'c3' }, generation: { id: 'g3' }, request: { id: 'r3' }, modelName: 'm3',
    });
    assert.deepEqual([third.agentType, third.conversationId, third.generationId, third.requestId, third.model], ['t3', 'c3', 'g3', 'r3', 'm3']);
    assert.equal(hint({ extra: { request_id: 'r4' } }).requestId, 'r4');
    const none = hint({});
    for (const key of ['subagentId', 'agentId', 'agentType', 'conversationId', 'generationId', 'requestId', 'model']) {
      assert.equal(key in none, false, key);
    }
  });
});

describe('tool fields (§1.2)', () => {
  it('tool_call_id: first usable of the id paths, `id` last; else tool-<uuid7>', () => {
    const cases: [JsonObject, string, string][] = [
      [{ tool_call_id: 'a', tool_use_id: 'c' }, 'a', 'tool_call_id'],
      [{ toolCallId: 'b', tool_use_id: 'c' }, 'b', 'toolCallId'],
      [{ tool_use_id: 'c', call_id: 'd' }, 'c', 'tool_use_id'],
      [{ call_id: 'd', extra: { tool_call_id: 'e' } }, 'd', 'call_id'],
      [{ extra: { tool_call_id: 'e', call_id: 'f' } }, 'e', 'extra.tool_call_id'],
      [{ extra: { call_id: 'f' }, tool: { id: 'g' } }, 'f', 'extra.call_id'],
      [{ tool: { id: 'g' }, tool_input: { id: 'h' } }, 'g', 'tool.id'],
      [{ tool_input: { id: 'h' }, id: 'i' }, 'h', 'tool_input.id'],
      [{ id: 9 }, '9', 'id'],
    ];
    for (const [payload, id, path] of cases) {
      const event = tool({ session_id: 's', ...payload });
      assert.equal(event.toolCallId, id, JSON.stringify(payload));
      assert.equal(event.toolCallIdSource, `payload:${path}`);
      assert.equal(event.toolCallIdSynthetic, false);
    }
    const synthetic = tool({ session_id: 's' });
    assert.match(synthetic.toolCallId, /^tool-[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.equal(synthetic.toolCallIdSynthetic, true);
  });

  it('tool_name: tool_name, toolName, tool.name, tool_input.name, name; else unknown_tool', () => {
    const cases: [JsonObject, string][] = [
      [{ tool_name: 'a', toolName: 'b' }, 'a'],
      [{ toolName: 'b', tool: { name: 'c' } }, 'b'],
      [{ tool: { name: 'c' }, tool_input: { name: 'd' } }, 'c'],
      [{ tool_input: { name: 'd' }, name: 'e' }, 'd'],
      [{ name: 'e' }, 'e'],
      [{}, 'unknown_tool'],
    ];
    for (const [payload, name] of cases) assert.equal(tool({ session_id: 's', ...payload }).toolName, name, JSON.stringify(payload));
    assert.equal(tool({ session_id: 's' }).toolNameSource, 'default');
  });

  it('arguments: the first existing of tool_input, input, arguments, args; a present null stops; else null', () => {
    assert.deepEqual(tool({ tool_input: { a: 1 }, input: { b: 2 } }).arguments, { a: 1 });
    assert.deepEqual(tool({ input: { b: 2 }, arguments: 'c' }).arguments, { b: 2 });
    assert.equal(tool({ arguments: 'c', args: ['d'] }).arguments, 'c');
    assert.deepEqual(tool({ args: ['d'] }).arguments, ['d']);
    assert.equal(tool({ tool_input: null, input: { b: 2 } }).arguments, null);
    assert.equal(tool({}).arguments, null);
  });

  it('result: the first existing output path wins, also over failure details, and a present null stops', () => {
    assert.deepEqual(toolEnd('PostToolUse', { tool_output: 1, tool_response: 2 }).result, 1);
    assert.deepEqual(toolEnd('PostToolUse', { tool_response: { ok: true }, output: 3 }).result, { ok: true });
    assert.equal(toolEnd('PostToolUse', { output: 'o', result: 'r' }).result, 'o');
    assert.equal(toolEnd('PostToolUse', { result: 'r' }).result, 'r');
    assert.equal(toolEnd('PostToolUse', { extra: { tool_output: 'x', result: 'y' } }).result, 'x');
    assert.equal(toolEnd('PostToolUse', { extra: { result: 'y' } }).result, 'y');
    assert.equal(toolEnd('PostToolUseFailure', { tool_response: null, error: 'e' }).result, null);
    assert.equal(toolEnd('PostToolUseFailure', { output: 'partial', error: 'e' }).result, 'partial');
  });

  it('result: failure details only for failure/denied hook names, and only when one detail key exists', () => {
    assert.equal(toolEnd('PostToolUse', { error: 'e' }).result, null);
    assert.deepEqual(toolEnd('ToolUseFailed', { error: null, duration_ms: 3, other: 1 }).result, { error: null, duration_ms: 3 });
    assert.equal(toolEnd('PostToolUseFailure', { other: 1 }).result, null);
    assert.deepEqual(toolEnd('PermissionDenied', { is_interrupt: true }).result, { is_interrupt: true });
  });

  it('status: status, decision, permission from the payload win over the name-derived error/denied', () => {
    assert.equal(toolEnd('PostToolUseFailure', { status: 'timeout', decision: 'd' }).status, 'timeout');
    assert.equal(toolEnd('PostToolUseFailure', { decision: 'd', permission: 'p' }).status, 'd');
    assert.equal(toolEnd('PermissionDenied', { permission: 'ask' }).status, 'ask');
    assert.equal(toolEnd('PostToolUseFailure', { status: '' }).status, 'error');
    assert.equal(toolEnd('PostToolUse', {}).status, undefined);
    assert.equal('status' in toolEnd('PostToolUse', {}), false);
  });
});
