/** Unknown, malformed and sparse hooks (relay-cli.md §1.5, §1.1, §6 pitfall 3): never an error. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOOK_AGENT_KINDS, adaptHook, seededUuids } from '../src/hooks/index.js';
import { parseJson } from '../src/json/parse.js';
import type { Json } from '../src/json/value.js';
import { adapt, eventOf, typesOf } from './fixtures/hooks/harness.js';

describe('empty and non-object payloads', () => {
  it('{} is an "unknown" hook mark in a synthetic session, for every agent', () => {
    for (const agent of HOOK_AGENT_KINDS) {
      const outcome = adapt(agent, {});
      assert.equal(outcome.eventName, 'unknown', agent);
      assert.deepEqual(typesOf(outcome), ['HookMark'], agent);
      const event = eventOf(outcome, 'HookMark');
      assert.equal(event.classification.rule, 'unknown.hook_mark');
      assert.ok(event.sessionIdSynthetic && event.sessionId.startsWith('hook-'), agent);
      assert.deepEqual(event.metadata, { agent_kind: agent, hook_event_name: 'unknown' });
    }
  });

  it('arrays, strings, numbers, booleans and null carry no fields but are still kept as marks with their payload', () => {
    for (const payload of [[{ hook_event_name: 'Stop', session_id: 's' }], 'PreToolUse', 42, true, null] as Json[]) {
      const outcome = adapt('claude-code', payload);
      const event = eventOf(outcome, 'HookMark');
      assert.equal(event.eventName, 'unknown', JSON.stringify(payload));
      assert.equal(event.sessionIdSynthetic, true);
      assert.deepEqual(event.payload, payload);
      assert.deepEqual(outcome.response, { continue: true });
    }
  });

  it('each id-less hook gets its own session when each record has its own id seed, as each live hook did', () => {
    const first = adaptHook('codex', {}, { ids: seededUuids('file.ndjson:1', 1000) });
    const second = adaptHook('codex', {}, { ids: seededUuids('file.ndjson:2', 1000) });
    assert.notEqual(first.events[0]?.sessionId, second.events[0]?.sessionId);
    const replay = adaptHook('codex', {}, { ids: seededUuids('file.ndjson:1', 1000) });
    assert.equal(replay.events[0]?.sessionId, first.events[0]?.sessionId, 'the same record always converts the same way');
  });
});

describe('unknown and odd event names', () => {
  it('unrecognised names, punctuation-only names and future hook names become hook marks', () => {
    for (const name of ['Unrecognized.Event', '---', 'SessionResume', 'pre tool use!']) {
      const outcome = adapt('claude-code', { hook_event_name: name, session_id: 's' });
      const event = eventOf(outcome, name === 'pre tool use!' ? 'ToolStarted' : 'HookMark');
      assert.equal(event.eventName, name);
    }
  });

  it('a payload key named __proto__ is data: it can carry the session id without touching prototypes', () => {
    const payload = parseJson('{"hook_event_name":"Notification","session":{"__proto__":"x"},"__proto__":{"polluted":true},"conversation_id":"c"}');
    const event = eventOf(adapt('codex', payload), 'Notification');
    assert.equal(event.sessionId, 'c');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('sparse hooks: synthesized ids', () => {
  it('an id-less UserPromptSubmit puts its two events in two different synthetic sessions (seed quirk)', () => {
    const outcome = adapt('claude-code', { hook_event_name: 'UserPromptSubmit', prompt: 'hi' });
    const [prompt, hint] = outcome.events;
    assert.ok(prompt?.sessionIdSynthetic && hint?.sessionIdSynthetic);
    assert.notEqual(prompt.sessionId, hint.sessionId);
  });

  it('an id-less Stop does the same with its hint and its turn end', () => {
    const outcome = adapt('codex', { hook_event_name: 'Stop' });
    assert.deepEqual(typesOf(outcome), ['LlmHint', 'TurnEnded']);
    assert.notEqual(outcome.events[0]?.sessionId, outcome.events[1]?.sessionId);
  });

  it('tool hooks without ids or names get tool-<uuid> and unknown_tool; each hook draws a new tool id', () => {
    const start = eventOf(adapt('codex', { hook_event_name: 'PreToolUse', session_id: 's' }), 'ToolStarted');
    assert.equal(start.toolName, 'unknown_tool');
    assert.ok(start.toolCallIdSynthetic && start.toolCallId.startsWith('tool-'));
    const end = eventOf(adaptHook('codex', { hook_event_name: 'PostToolUse', session_id: 's' }, { ids: seededUuids('other') }), 'ToolEnded');
    assert.notEqual(end.toolCallId, start.toolCallId, 'an id-less end cannot pair with an id-less start');
  });

  it('subagent hooks without an id use the literal "subagent"', () => {
    const event = eventOf(adapt('codex', { hook_event_name: 'SubagentStop', session_id: 's' }), 'SubagentEnded');
    assert.equal(event.subagentId, 'subagent');
    assert.equal(event.subagentIdSource, 'default');
  });
});

describe('Hermes pre_tool_call correlation (§1.4 Hermes 4)', () => {
  const preToolCall = (payload: Record<string, Json>, headers?: Record<string, string>) =>
    adapt('hermes', { hook_event_name: 'pre_tool_call', tool_name: 'terminal', ...payload }, headers);

  it('is dropped, with the reason recorded, when the session or the tool call id is not explicit', () => {
    const noTool = preToolCall({ session_id: 's' });
    assert.deepEqual(noTool.events, []);
    assert.equal(noTool.dropped?.rule, 'hermes.uncorrelatable_pre_tool_call');
    assert.match(noTool.dropped?.reason ?? '', /tool call id/);
    assert.doesNotMatch(noTool.dropped?.reason ?? '', /session/);
    const noSession = preToolCall({ tool_call_id: 'c1' });
    assert.match(noSession.dropped?.reason ?? '', /session evidence/);
    assert.doesNotMatch(noSession.dropped?.reason ?? '', /tool call id/);
  });

  it('task_id is not session evidence, though the generic chain would route by it', () => {
    assert.deepEqual(preToolCall({ task_id: 't', tool_call_id: 'c1' }).events, []);
    assert.deepEqual(preToolCall({ extra: { task_id: 't' }, tool_call_id: 'c1' }).events, []);
  });

  it('accepts each kind of session evidence', () => {
    const evidence: [Record<string, Json>, Record<string, string>?][] = [
      [{}, { 'x-nemo-relay-session-id': 'h' }],
      [{}, { 'x-claude-code-session-id': 'h' }],
      [{ sessionId: 's' }],
      [{ conversation_id: 'c' }],
      [{ extra: { conversationId: 'c' } }],
      [{ extra: { parent_session_id: 'p' } }],
      // Presence is enough at session.id, even null (the session id itself then comes from elsewhere).
      [{ session: { id: null }, task_id: 't' }],
    ];
    for (const [payload, headers] of evidence) {
      const outcome = preToolCall({ tool_call_id: 'c1', ...payload }, headers);
      assert.deepEqual(typesOf(outcome), ['ToolStarted'], JSON.stringify([payload, headers]));
    }
  });

  it('rejects blank headers and a top-level null that hides extra.session_id', () => {
    assert.deepEqual(preToolCall({ tool_call_id: 'c1' }, { 'x-nemo-relay-session-id': ' \t ' }).events, []);
    assert.deepEqual(preToolCall({ tool_call_id: 'c1', session_id: null, extra: { session_id: 's' } }).events, []);
  });

  it('accepts each kind of explicit tool call id, including any value at tool.id or tool_input.id', () => {
    for (const payload of [
      { toolCallId: 'a' }, { tool_use_id: 'a' }, { call_id: 'a' }, { id: 3 }, { extra: { id: 'a' } }, { tool: { id: null } },
      { tool_input: { id: {} } },
    ] as Record<string, Json>[]) {
      assert.deepEqual(typesOf(preToolCall({ session_id: 's', ...payload })), ['ToolStarted'], JSON.stringify(payload));
    }
  });

  it('the matching post_tool_call is always kept, ids synthesized if needed', () => {
    const outcome = adapt('hermes', { hook_event_name: 'post_tool_call', task_id: 'task-1', tool_name: 'terminal', result: 'ok' });
    const event = eventOf(outcome, 'ToolEnded');
    assert.equal(event.sessionId, 'task-1');
    assert.equal(event.toolCallIdSynthetic, true);
    assert.equal(event.result, 'ok');
  });
});
