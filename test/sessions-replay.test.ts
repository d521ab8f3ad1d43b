/**
 * The offline replay of relay-cli.md §3.12 and the ordering/duplicates table of §3.11: record time
 * drives TTLs and the idle sweep, the end of input shuts the gateway down, and the events come out
 * in the exact ATOF wire shape with ids derived from the input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAtof, type AtofEvent } from '../src/ingest/atof.js';
import { parseRfc3339 } from '../src/ingest/time.js';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json, JsonObject } from '../src/json/value.js';
import { gatewayStart, Harness, llmEnded, llmStarted, agentStarted, promptSubmitted, toolEnded, toolStarted, hookMark } from './fixtures/sessions/harness.js';
import { at, gatewayRecord, hookRecord, ndjson, readAll, replayLines } from './fixtures/sessions/records.js';
import { replayRecords } from '../src/pipeline/raw.js';
import { Session } from '../src/sessions/session.js';

const claude = (seconds: number, payload: JsonObject) => hookRecord('claude-code', seconds, { session_id: 'c1', ...payload });
const names = (events: AtofEvent[]) => events.map((e) => `${e.kind === 'mark' ? 'mark' : e.scopeCategory} ${e.name}`);
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('§3.11 ordering, unknown sessions, late and duplicate events', () => {
  it('events inside one hook apply in order: a prompt hook opens the turn, then leaves the hint the next call consumes', async () => {
    const result = await replayLines([
      claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hello' }),
      gatewayRecord('cap-1', 1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'c1' }, body: { model: 'claude', messages: [] }, response: { content: [] } }),
    ]);
    const a = result.attributions.all[0];
    assert.deepEqual([a.owner.rule, a.owner.status, a.owner.source], ['SINGLE_HINT', 'single_hint', 'UserPromptSubmit']);
    assert.equal(result.events[0].name, 'claude-code-turn');
    assert.deepEqual((result.events[0].metadata as JsonObject).turn_source, 'user_prompt');
  });

  it('a Stop hook leaves a hint and ends the turn, which clears it; a late Stop opens and closes an empty turn', async () => {
    const result = await replayLines([
      claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hello' }),
      claude(1, { hook_event_name: 'Stop' }),
      claude(2, { hook_event_name: 'Stop' }),
    ]);
    assert.deepEqual(names(result.events), ['start claude-code-turn', 'end claude-code-turn', 'start claude-code-turn', 'end claude-code-turn']);
    const [, firstEnd, lateStart, lateEnd] = result.events;
    assert.equal((firstEnd.data as JsonObject).hook_event_name, 'Stop', 'no LLM output: the TurnEnded payload is the output');
    assert.equal((lateStart.metadata as JsonObject).turn_source, 'implicit');
    assert.equal(lateStart.data, undefined);
    assert.equal((lateEnd.data as JsonObject).hook_event_name, 'Stop');
  });

  it('a non-terminal event for an unknown session creates it: agent scope (cursor), implicit turn, then the mark', () => {
    const h = new Harness();
    h.apply([hookMark({ sessionId: 'fresh', agentKind: 'cursor', eventName: 'Custom.Event', payload: { x: 1 } })]);
    assert.deepEqual(names(h.events), ['start cursor', 'start cursor-turn', 'mark hook_mark']);
    assert.equal(h.events[1].parentUuid, h.events[0].uuid);
    assert.equal(h.events[2].parentUuid, h.events[1].uuid);
    assert.deepEqual(h.events[2].data, { x: 1 });
  });

  it('a duplicate AgentStarted only merges metadata', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'dup', agentKind: 'hermes', metadata: { a: 1 } }), agentStarted({ sessionId: 'dup', agentKind: 'hermes', metadata: { b: 2 } })]);
    assert.deepEqual(names(h.events), ['start hermes']);
    assert.deepEqual(h.session('dup').sessionMetadata, { a: 1, b: 2 });
  });

  it('a second PromptSubmitted supersedes the open turn', () => {
    const h = new Harness();
    h.apply([promptSubmitted({ sessionId: 'p', payload: { prompt: 'one' } }), promptSubmitted({ sessionId: 'p', payload: { prompt: 'two' } })]);
    assert.deepEqual(h.endStatuses(), [['claude-code-turn', 'superseded_by_next_turn']]);
    const turns = h.named('claude-code-turn', 'start');
    assert.deepEqual(turns.map((t) => [(t.metadata as JsonObject).turn_index, (t.data as JsonObject).prompt]), [[1, 'one'], [2, 'two']]);
  });

  it('a ToolEnded without a start, and a duplicate ToolEnded, each synthesize a complete span', () => {
    const h = new Harness();
    const end = toolEnded({ sessionId: 't', toolCallId: 'tool-1', toolName: 'Read', arguments: { f: 1 }, result: { ok: true }, status: 'success' });
    h.apply([promptSubmitted({ sessionId: 't' }), end, end]);
    assert.deepEqual(names(h.events.filter((e) => e.name === 'Read')), ['start Read', 'end Read', 'start Read', 'end Read']);
    const [start1, end1] = h.named('Read');
    assert.deepEqual(start1.data, { f: 1 });
    assert.deepEqual(end1.categoryProfile, { tool_call_id: 'tool-1' });
    assert.equal((end1.metadata as JsonObject).status, 'success');
    assert.ok(end1.ts > start1.ts, 'the end is strictly after the start');
  });

  it('a duplicate Hermes LlmStarted is ignored and an LlmEnded without a start synthesizes one', () => {
    const h = new Harness();
    h.apply([
      agentStarted({ sessionId: 'hm', agentKind: 'hermes' }),
      llmStarted({ sessionId: 'hm', apiCallId: 'a1', modelName: 'qwen', request: { m: 1 } }),
      llmStarted({ sessionId: 'hm', apiCallId: 'a1', modelName: 'qwen', request: { m: 1 } }),
      llmEnded({ sessionId: 'hm', apiCallId: 'a1', response: { r: 1 } }),
      llmEnded({ sessionId: 'hm', apiCallId: 'orphan', request: { summary: true }, response: { r: 2 } }),
    ]);
    const llm = h.events.filter((e) => e.category === 'llm');
    assert.deepEqual(names(llm), ['start custom', 'end custom', 'start custom', 'end custom']);
    assert.deepEqual(llm[0].data, { headers: {}, content: { m: 1 } });
    assert.deepEqual(llm[2].data, { headers: {}, content: { summary: true } });
    assert.deepEqual(llm[3].data, { r: 2 });
  });

  it('a gateway LLM whose turn closed before the response still ends, under the closed turn', async () => {
    const result = await replayLines([
      claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hello' }),
      gatewayRecord('cap-1', 1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'c1' }, body: { model: 'claude', messages: [] }, response: { content: [] }, duration: 5 }),
      claude(2, { hook_event_name: 'Stop' }),
    ]);
    assert.deepEqual(names(result.events), ['start claude-code-turn', 'start anthropic.messages', 'end claude-code-turn', 'end anthropic.messages']);
    assert.equal(result.events[3].parentUuid, result.events[0].uuid);
  });

  it('response hints and turn output are recorded at completion, not at arrival', async () => {
    const response = { choices: [{ message: { role: 'assistant', tool_calls: [{ id: 'call-9', function: { name: 'Read', arguments: '{}' } }] } }] };
    const result = await replayLines([
      hookRecord('hermes', 0, { hook_event_name: 'on_session_start', session_id: 'h1' }),
      gatewayRecord('cap-1', 1, { body: { model: 'm', messages: [], session_id: 'h1' }, response, duration: 2 }),
      // Arrives while the call is in flight: no hint yet, so the tool falls back to the turn.
      hookRecord('hermes', 2, { hook_event_name: 'pre_tool_call', session_id: 'h1', tool_call_id: 'call-9', tool_name: 'Read', tool_input: {} }),
      hookRecord('hermes', 4, { hook_event_name: 'pre_tool_call', session_id: 'h1', tool_call_id: 'call-9b', tool_name: 'Read', tool_input: {} }),
    ]);
    const tools = result.events.filter((e) => e.category === 'tool' && e.scopeCategory === 'start');
    // Later, the proposed call (same name, equal arguments, another id) claims the next tool hook.
    assert.deepEqual(tools.map((t) => (t.metadata as JsonObject).tool_correlation_status), ['agent_fallback', 'single_hint']);
    const turnEnd = result.events.find((e) => e.name === 'hermes-turn' && e.scopeCategory === 'end') as AtofEvent;
    assert.deepEqual(turnEnd.data, response, 'the root-owned response is the turn output');
  });
});

describe('record time drives TTLs, the idle sweep and the shutdown (§3.10, §3.12)', () => {
  it('an idle turn closes at the first 5 s sweep tick after 30 s without activity', async () => {
    const result = await replayLines([claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }), claude(2, { hook_event_name: 'Notification', message: 'x' }), claude(100, { hook_event_name: 'SessionEnd' })]);
    const end = result.events.find((e) => e.name === 'claude-code-turn' && e.scopeCategory === 'end') as AtofEvent;
    assert.deepEqual(end.data, { status: 'idle_timeout' });
    // Last activity at t=2 s, idle from t=32 s; ticks run at 0, 5, 10, … from the first record: t=35 s.
    assert.equal(end.ts, parseRfc3339(at(35)));
    assert.equal(result.stats.idleClosures, 1);
  });

  it('turns idle at the same tick close in the order their sessions were created, not the order the turns opened', async () => {
    const session = (id: string, seconds: number, payload: JsonObject) => hookRecord('claude-code', seconds, { session_id: id, ...payload });
    const result = await replayLines([
      session('first', 0, { hook_event_name: 'SessionStart', source: 'startup' }),
      session('second', 1, { hook_event_name: 'UserPromptSubmit', prompt: 'b' }),
      session('first', 2, { hook_event_name: 'UserPromptSubmit', prompt: 'a' }),
      session('third', 100, { hook_event_name: 'SessionStart', source: 'startup' }),
    ]);
    // Idle from 31 s and 32 s: both close at the 35 s tick, the older session first.
    const ends = result.events.filter((e) => e.name === 'claude-code-turn' && e.scopeCategory === 'end');
    assert.deepEqual(ends.map((e) => [(e.metadata as JsonObject).session_id, (e.data as JsonObject).status, e.ts]), [
      ['first', 'idle_timeout', parseRfc3339(at(35))],
      ['second', 'idle_timeout', parseRfc3339(at(35))],
    ]);
    assert.equal(result.stats.idleClosures, 2);
  });

  it('the idle sweep looks only at sessions holding a turn: a log of many finished sessions does not make each step visit them all', async () => {
    const lines: Json[] = [];
    const sessions = 300;
    for (let i = 0; i < sessions; i++) {
      // Codex reports no session end: every session stays known to the manager until the end of input.
      const t = i * 3;
      lines.push(hookRecord('codex', t, { session_id: `s${i}`, hook_event_name: 'SessionStart', source: 'startup' }));
      lines.push(hookRecord('codex', t + 1, { session_id: `s${i}`, hook_event_name: 'UserPromptSubmit', prompt: 'p' }));
      lines.push(hookRecord('codex', t + 2, { session_id: `s${i}`, hook_event_name: 'Stop' }));
    }
    const original = Session.prototype.holdsQuietTurn;
    let checks = 0;
    Session.prototype.holdsQuietTurn = function (this: Session, ...args: Parameters<Session['holdsQuietTurn']>) {
      checks++;
      return original.apply(this, args);
    };
    try {
      const result = await replayLines(lines);
      assert.equal(result.stats.idleClosures, 0);
    } finally {
      Session.prototype.holdsQuietTurn = original;
    }
    // Visiting every session seen at every step would be about sessions × records / 2 = 135,000 checks.
    assert.ok(checks < 4 * lines.length, `${checks} idle checks for ${lines.length} records`);
  });

  it('many concurrent open turns: each step does not visit them all, and each turn closes when its own clock runs out', async () => {
    const lines: Json[] = [];
    const sessions = 300;
    // Every session opens a turn, then all are active again round after round (0.01 s apart), then quiet.
    for (let i = 0; i < sessions; i++) lines.push(hookRecord('codex', i * 0.01, { session_id: `s${i}`, hook_event_name: 'UserPromptSubmit', prompt: 'p' }));
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < sessions; i++) lines.push(hookRecord('codex', round * 10 + i * 0.01, { session_id: `s${i}`, hook_event_name: 'Notification', message: 'x' }));
    }
    lines.push(hookRecord('codex', 200, { session_id: 'last', hook_event_name: 'SessionStart', source: 'startup' }));
    const original = Session.prototype.holdsQuietTurn;
    let checks = 0;
    Session.prototype.holdsQuietTurn = function (this: Session, ...args: Parameters<Session['holdsQuietTurn']>) {
      checks++;
      return original.apply(this, args);
    };
    let result: Awaited<ReturnType<typeof replayLines>>;
    try {
      result = await replayLines(lines);
    } finally {
      Session.prototype.holdsQuietTurn = original;
    }
    // Visiting every open turn at every step would be about sessions × records = 360,000 checks.
    assert.ok(checks < 4 * lines.length, `${checks} idle checks for ${lines.length} records`);
    // Last activity at 30 s + i × 0.01 s, idle from 60 s + i × 0.01 s: s0 closes at the 60 s tick, the
    // others at the 65 s tick, oldest session first.
    const ends = result.events.filter((e) => e.name === 'codex-turn' && e.scopeCategory === 'end');
    assert.deepEqual(
      ends.map((e) => [(e.metadata as JsonObject).session_id, e.ts]),
      Array.from({ length: sessions }, (_, i) => [`s${i}`, parseRfc3339(at(i === 0 ? 60 : 65))]),
    );
    assert.equal(result.stats.idleClosures, sessions);
  });

  it('a turn whose tool ends late goes idle 30 s after that end, not after its last activity before the tool', async () => {
    const session = (id: string, seconds: number, payload: JsonObject) => hookRecord('claude-code', seconds, { session_id: id, ...payload });
    const result = await replayLines([
      session('busy', 0, { hook_event_name: 'UserPromptSubmit', prompt: 'a' }),
      session('busy', 1, { hook_event_name: 'PreToolUse', tool_use_id: 't1', tool_name: 'Bash', tool_input: {} }),
      session('quiet', 2, { hook_event_name: 'UserPromptSubmit', prompt: 'b' }),
      session('busy', 40, { hook_event_name: 'PostToolUse', tool_use_id: 't1', tool_name: 'Bash' }),
      session('other', 200, { hook_event_name: 'SessionStart', source: 'startup' }),
    ]);
    // quiet: idle from 32 s, closed at the 35 s tick; busy: its tool held it until 40 s, idle from 70 s.
    const ends = result.events.filter((e) => e.name === 'claude-code-turn' && e.scopeCategory === 'end');
    assert.deepEqual(ends.map((e) => [(e.metadata as JsonObject).session_id, (e.data as JsonObject).status, e.ts]), [
      ['quiet', 'idle_timeout', parseRfc3339(at(35))],
      ['busy', 'idle_timeout', parseRfc3339(at(70))],
    ]);
  });

  it('a turn with an open tool is never idle', async () => {
    const result = await replayLines([claude(0, { hook_event_name: 'PreToolUse', tool_use_id: 't1', tool_name: 'Bash', tool_input: {} }), claude(200, { hook_event_name: 'PostToolUse', tool_use_id: 't1', tool_name: 'Bash' })]);
    assert.equal(result.stats.idleClosures, 0);
    assert.deepEqual(names(result.events), ['start claude-code-turn', 'start Bash', 'end Bash', 'end claude-code-turn']);
    assert.deepEqual(result.events[3].data, { status: 'gateway_shutdown' }, 'closed at the end of input');
  });

  it('an LLM hint is kept for 300 s of record time, then expires', async () => {
    const run = (seconds: number) =>
      replayLines([
        claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }),
        // An open tool keeps the idle sweep away, so only the hint TTL is at play.
        claude(0.5, { hook_event_name: 'PreToolUse', tool_use_id: 't1', tool_name: 'Bash', tool_input: {} }),
        gatewayRecord('cap-1', seconds, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'c1' }, body: { model: 'claude', messages: [] }, response: { content: [] } }),
      ]);
    assert.equal((await run(300)).attributions.all[0].owner.status, 'single_hint');
    assert.equal((await run(300.001)).attributions.all[0].owner.status, 'agent_fallback');
  });

  it('the end of input shuts the gateway down at the last record time', async () => {
    const result = await replayLines([hookRecord('hermes', 0, { hook_event_name: 'on_session_start', session_id: 'h1' }), hookRecord('hermes', 1, { hook_event_name: 'pre_llm_call', session_id: 'h1' })]);
    const ends = result.events.filter((e) => e.scopeCategory === 'end');
    assert.deepEqual(ends.map((e) => [e.name, (e.data as JsonObject).status]), [['hermes-turn', 'gateway_shutdown'], ['hermes', 'gateway_shutdown']]);
    // The turn opened at that same instant, so its end is the runtime's start + 1 µs.
    assert.equal(ends[0].ts, (parseRfc3339(at(1)) as bigint) + 1000n);
    assert.equal(result.stats.shutdownSessions, 1);
  });
});

describe('emitted events', () => {
  it('are in the ATOF 0.1 wire shape: decoding their raw form gives the same event', () => {
    const h = new Harness();
    h.apply([agentStarted({ sessionId: 'w', agentKind: 'hermes', metadata: { k: 'v' } }), toolStarted({ sessionId: 'w', agentKind: 'hermes', toolCallId: 'c', toolName: 'Read', arguments: { f: 1 } })]);
    h.llm({ ...gatewayStart({ sessionId: 'w' }), streaming: true });
    h.tick();
    h.manager.closeAll();
    const keys = (e: AtofEvent) => Object.keys(e.raw).sort();
    for (const event of h.events) {
      const decoded = decodeAtof(JSON.parse(canonicalJson(event.raw)) as JsonObject, event.seq);
      assert.ok(decoded.ok, 'decodes');
      const { raw: _r, seq: _s, origin: _o, ...mine } = event;
      const { raw: _r2, seq: _s2, ...theirs } = decoded.event;
      assert.deepEqual(mine, theirs, `${event.name} ${event.scopeCategory ?? event.kind}`);
      const expected = event.kind === 'mark'
        ? ['atof_version', 'category', 'category_profile', 'data', 'data_schema', 'kind', 'metadata', 'name', 'parent_uuid', 'timestamp', 'uuid']
        : ['atof_version', 'attributes', 'category', 'category_profile', 'data', 'data_schema', 'kind', 'metadata', 'name', 'parent_uuid', 'scope_category', 'timestamp', 'uuid'];
      assert.deepEqual(keys(event), expected);
      assert.match(event.raw.timestamp as string, /\+00:00$/);
    }
    assert.deepEqual(h.named('openai.responses', 'start')[0].raw.attributes, ['streaming']);
  });

  it('have UUIDv7-shaped ids derived from the input: same content, same ids, whatever the file name', async () => {
    const lines: Json[] = [
      claude(0, { hook_event_name: 'UserPromptSubmit', prompt: 'hi' }),
      gatewayRecord('cap-1', 1, { path: '/v1/messages', headers: { 'x-claude-code-session-id': 'c1' }, body: { model: 'claude', messages: [] }, response: { content: [] } }),
    ];
    const once = replayRecords((await readAll([ndjson('a.ndjson', lines)])).records);
    const again = replayRecords((await readAll([ndjson('elsewhere/b.ndjson', lines)])).records);
    assert.deepEqual(once.events.map((e) => canonicalJson(e.raw)), again.events.map((e) => canonicalJson(e.raw)));
    for (const e of once.events) assert.match(e.uuid, UUID_V7);
    // The root of the session stack is referenced but never emitted (§3.1).
    assert.equal(once.events.some((e) => e.uuid === once.events[0].parentUuid), false);
  });

  it('give two identical id-less hooks different synthetic sessions', async () => {
    const line = hookRecord('claude-code', 0, { hook_event_name: 'Notification', message: 'same' });
    const result = await replayLines([line, line]);
    const sessions = result.events.filter((e) => e.name === 'claude-code-turn' && e.scopeCategory === 'start').map((e) => (e.metadata as JsonObject).session_id);
    assert.equal(sessions.length, 2);
    assert.notEqual(sessions[0], sessions[1]);
  });
});
