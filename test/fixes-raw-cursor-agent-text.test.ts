/**
 * Fix `cursor-agent-text` (relay-cli.md §1.3–1.4): Cursor's afterAgentResponse (the answer the agent
 * wrote, `text`) and afterAgentThought (a thinking block, `text`, `duration_ms`) are generic LLM hints
 * in relay-0.3, which correlate gateway calls and are written to no event. Cursor calls its own
 * backend, so a Cursor session seen by its hooks lost every answer and thought, even from the raw
 * observed events. Fixture: one turn of hooks alone: prompt, thought, an MCP call (its output as
 * `output`, so no other fix is at work), a second thought, the answer, stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { eventsToTrajectory } from '../src/atif/export.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { adaptHook, seededUuids } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import { at, ev, uuid } from './support/events.js';
import { runJson } from './support/cli.js';
import { converted, events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'cursor-agent-text';
const ANSWER = 'addItem drops the last item: its loop stops one short.';
const toAtif = (list: AtofEvent[]) => eventsToTrajectory(list, { sessionId: 's', agent: { name: 'test', version: '0' }, fixes: resolveFixes('default') }).trajectory!;
const steps = (t: Trajectory) => t.steps.map((s) => [s.source, s.message, s.reasoning_content ?? null, s.tool_calls?.map((c) => c.function_name) ?? []]);

describe(FIX, () => {
  // The MCP end carries no id: it is matched to its start by name and arguments.
  registryAndProfileTests(FIX, ['tool-end-name-arguments']);

  it('relay-0.3 replays no event for the answer and thought hooks; the fix a hook_mark each, with the payload', async () => {
    const marks = async (...flags: string[]) =>
      (await events(FIX, ...flags)).filter((e) => e.kind === 'mark').map((e) => [e.name, e.metadata?.hook_event_name, (e.data as { text?: string }).text]);
    assert.deepEqual(await marks(...SEED), []);
    assert.deepEqual(await marks(), [
      ['hook_mark', 'afterAgentThought', 'I should read the test first.'],
      ['hook_mark', 'afterAgentThought', 'addItem loops one short.'],
      ['hook_mark', 'afterAgentResponse', ANSWER],
    ]);
  });

  it('with hook-turn-steps the answer is an agent step, each thought the reasoning of the next agent step, in time order', async () => {
    const { t } = await converted(FIX, '-q');
    assert.deepEqual(steps(t), [
      ['user', 'Why does the cart test fail?', null, []],
      // A thought before the turn's tools: a step of its own (a step of llm_call_count 0 may hold no reasoning).
      ['agent', '', 'I should read the test first.', []],
      ['agent', '', null, ['read_test']],
      ['agent', ANSWER, 'addItem loops one short.', []],
    ]);
    const times = t.steps.map((s) => s.timestamp!);
    assert.deepEqual([...times].sort(), times);
    const explained = await runJson<{ origin: { kind: string; events: Array<{ line: number }> }; fixes: string[] }>(['explain', rawFixture(FIX), '--trajectory', t.trajectory_id!, '--step', '4']);
    assert.deepEqual([explained.origin.kind, explained.origin.events.map((e) => e.line), explained.fixes], ['turn-text', [6], ['hook-turn-steps', FIX]]);
    // Without the fix: no answer, no thought (the turn's tools alone).
    assert.deepEqual(steps((await converted(FIX, '-q', '--no-fix', FIX)).t), [['user', 'Why does the cart test fail?', null, []], ['agent', '', null, ['read_test']]]);
    // Without hook-turn-steps the marks are system steps named after their hooks, as any hook mark (the
    // tool's result is then a standalone system step of no message, as in relay-0.3).
    const marksOnly = (await converted(FIX, '-q', '--no-fix', 'hook-turn-steps')).t;
    assert.deepEqual(marksOnly.steps.map((s) => s.message), ['afterAgentThought', 'afterAgentThought', 'afterAgentResponse', '']);
  });
});

describe(`${FIX}: the Cursor adapter (library)`, () => {
  const types = (payload: Json, cursorAgentText: boolean) =>
    adaptHook('cursor', payload, { ids: seededUuids('fix-test', 1_780_000_000_000), cursorAgentText }).events.map((e) => e.type);

  it('adds a HookMark after the LLM hint only with the fix, only for a non-blank string text of the two hooks', () => {
    const answer = { hook_event_name: 'afterAgentResponse', conversation_id: 'c', text: 'Done.' };
    assert.deepEqual(types(answer, false), ['LlmHint']);
    assert.deepEqual(types(answer, true), ['LlmHint', 'HookMark']);
    assert.deepEqual(types({ ...answer, hook_event_name: 'afterAgentThought' }, true), ['LlmHint', 'HookMark']);
    assert.deepEqual(types({ ...answer, text: ' \n' }, true), ['LlmHint']);
    assert.deepEqual(types({ ...answer, text: 7 }, true), ['LlmHint']);
    assert.deepEqual(types({ ...answer, hook_event_name: 'stop' }, true), ['AgentEnded'], 'other hooks with a text are unchanged');
  });
});

describe(`${FIX}: the step builder (hook-turn-steps)`, () => {
  const P = uuid(20);
  const turn = (ms: number, phase: 'start' | 'end', data: Json) =>
    ev({ category: 'agent', scope_category: phase, uuid: uuid(10), parent_uuid: P, timestamp: at(ms), name: 'cursor-turn', data, metadata: { agent_kind: 'cursor', nemo_relay_scope_role: 'turn', turn_source: 'user_prompt' } });
  const said = (n: number, ms: number, hook: string, text: string) =>
    ev({ kind: 'mark', uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: 'hook_mark', data: { hook_event_name: hook, text }, metadata: { agent_kind: 'cursor', hook_event_name: hook } });
  const tool = (n: number, ms: number, phase: 'start' | 'end', data: Json) =>
    ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: 'Shell', data, category_profile: { tool_call_id: `t${n}` } });
  const prompt = turn(0, 'start', { prompt: 'Go.' });

  it('a tool after an answer opens a new tool step; a thought the turn ended on is a step of its own', () => {
    const t = toAtif([prompt, tool(2, 1, 'start', { command: 'a' }), tool(2, 2, 'end', 'A'), said(30, 3, 'afterAgentResponse', 'Ran a.'), tool(3, 4, 'start', { command: 'b' }), tool(3, 5, 'end', 'B'), said(31, 6, 'afterAgentThought', 'Done?'), turn(7, 'end', {})]);
    assert.deepEqual(steps(t), [['user', 'Go.', null, []], ['agent', '', null, ['Shell']], ['agent', 'Ran a.', null, []], ['agent', '', null, ['Shell']], ['agent', '', 'Done?', []]]);
    assert.deepEqual(t.steps[3].observation?.results.map((r) => r.content), ['B']);
  });

  it('writes nothing for them in a turn a captured request speaks for, and only Cursor hook marks are read', () => {
    const llm = (ms: number, phase: 'start' | 'end', data: Json) => ev({ category: 'llm', scope_category: phase, uuid: uuid(40), parent_uuid: uuid(10), timestamp: at(ms), name: 'openai.chat', data });
    const chat = { messages: [{ role: 'user', content: 'Go.' }] };
    const reply = { choices: [{ index: 0, message: { role: 'assistant', content: 'Ran a.' }, finish_reason: 'stop' }] };
    const t = toAtif([prompt, llm(1, 'start', chat), llm(2, 'end', reply), said(30, 3, 'afterAgentResponse', 'Ran a.'), turn(4, 'end', {})]);
    assert.deepEqual(steps(t), [['user', 'Go.', null, []], ['agent', 'Ran a.', null, []]]);
    const codex = ev({ kind: 'mark', uuid: uuid(32), parent_uuid: uuid(10), timestamp: at(1), name: 'hook_mark', data: { hook_event_name: 'afterAgentResponse', text: 'x' }, metadata: { agent_kind: 'codex', hook_event_name: 'afterAgentResponse' } });
    assert.deepEqual(steps(toAtif([prompt, codex, turn(2, 'end', {})])).map((s) => s[0]), ['user', 'system']);
  });
});
