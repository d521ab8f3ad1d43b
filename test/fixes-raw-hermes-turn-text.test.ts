/**
 * Fix `hermes-turn-text` (relay-cli.md §1.4): Hermes fires `pre_llm_call` once per turn before its
 * tool-calling loop with the user's `user_message`, and `post_llm_call` once after it with the
 * `assistant_response` (Hermes plugin hooks; its shell hooks send them under `extra`). relay-0.3 makes
 * both LLM hints, written to no event: the prompt and the answer were only in the API hooks' bodies,
 * which a Hermes that sends summaries (an older build, a request over its size limit) does not carry.
 * Fixture: one Hermes turn whose API hooks sent summaries (`_truncated`), between its two LLM hooks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { adaptHook, seededUuids } from '../src/hooks/index.js';
import type { Json } from '../src/json/value.js';
import { eventsToTrajectory } from '../src/atif/export.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { runJson } from './support/cli.js';
import { at, ev, uuid } from './support/events.js';
import { converted, events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'hermes-turn-text';
const messages = (t: Trajectory) => t.steps.map((s) => [s.source, s.message]);

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 replays no event for pre_llm_call and post_llm_call; the fix a hook_mark each, with the payload', async () => {
    const marks = async (...flags: string[]) =>
      (await events(FIX, ...flags)).filter((e) => e.kind === 'mark').map((e) => [e.name, e.metadata?.hook_event_name]);
    assert.deepEqual(await marks(...SEED), []);
    assert.deepEqual(await marks(), [['hook_mark', 'pre_llm_call'], ['hook_mark', 'post_llm_call']]);
  });

  it("the turn's prompt is its user step and its answer the text of the summary answer", async () => {
    const { t } = await converted(FIX, '-q');
    assert.deepEqual(messages(t), [['user', 'Summarise the build log'], ['agent', 'The build failed at the link step.']]);
    assert.equal(t.steps[1].metrics?.prompt_tokens, 900, 'the answer keeps its usage');
    const step = (n: number) => runJson<{ fixes: string[] }>(['explain', rawFixture(FIX), '--trajectory', t.trajectory_id!, '--step', String(n)]);
    assert.deepEqual((await step(1)).fixes, ['hook-turn-steps', FIX]);
    assert.deepEqual((await step(2)).fixes, ['hermes-summary-messages', FIX]);
    // Without the fix, hermes-summary-messages alone leaves one answer of no text and no user step.
    assert.deepEqual(messages((await converted(FIX, '-q', '--no-fix', FIX)).t), [['agent', '']]);
    // Without hook-turn-steps the marks are system steps named after their hooks, as any hook mark.
    assert.deepEqual(messages((await converted(FIX, '-q', '--no-fix', 'hook-turn-steps')).t), [['system', 'pre_llm_call'], ['agent', ''], ['system', 'post_llm_call']]);
  });
});

describe(`${FIX}: the Hermes adapter (library)`, () => {
  const types = (payload: Json, hermesTurnText: boolean) =>
    adaptHook('hermes', payload, { ids: seededUuids('fix-test', 1_780_000_000_000), hermesTurnText }).events.map((e) => e.type);
  const pre = { hook_event_name: 'pre_llm_call', session_id: 'h', extra: { user_message: 'Hi' } };

  it('adds a HookMark after the LLM hint only with the fix, for the text each hook carries, top level or under extra', () => {
    assert.deepEqual(types(pre, false), ['LlmHint']);
    assert.deepEqual(types(pre, true), ['LlmHint', 'HookMark']);
    assert.deepEqual(types({ hook_event_name: 'pre_llm_call', session_id: 'h', user_message: 'Hi' }, true), ['LlmHint', 'HookMark']);
    assert.deepEqual(types({ hook_event_name: 'post_llm_call', session_id: 'h', extra: { assistant_response: 'Done.' } }, true), ['LlmHint', 'HookMark']);
    assert.deepEqual(types({ hook_event_name: 'post_llm_call', session_id: 'h', extra: { user_message: 'Hi' } }, true), ['LlmHint'], 'post_llm_call: its answer, not the prompt');
    assert.deepEqual(types({ ...pre, extra: { user_message: '  ' } }, true), ['LlmHint']);
    assert.deepEqual(types({ ...pre, extra: { user_message: ['Hi'] } }, true), ['LlmHint']);
  });
});

describe(`${FIX}: the step builder (hook-turn-steps)`, () => {
  const toAtif = (list: AtofEvent[]) => eventsToTrajectory(list, { sessionId: 's', agent: { name: 'test', version: '0' }, fixes: resolveFixes('default') }).trajectory!;
  // An implicit Hermes turn (10) under its session (20), as the replay opens one.
  const turn = (ms: number, phase: 'start' | 'end') =>
    ev({ category: 'agent', scope_category: phase, uuid: uuid(10), parent_uuid: uuid(20), timestamp: at(ms), name: 'hermes-turn', data: null, metadata: { agent_kind: 'hermes', nemo_relay_scope_role: 'turn', turn_source: 'implicit' } });
  const said = (n: number, ms: number, hook: string, extra: Json) =>
    ev({ kind: 'mark', uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: 'hook_mark', data: { hook_event_name: hook, extra }, metadata: { agent_kind: 'hermes', hook_event_name: hook } });
  const llm = (ms: number, phase: 'start' | 'end', data: Json) => ev({ category: 'llm', scope_category: phase, uuid: uuid(40), parent_uuid: uuid(10), timestamp: at(ms), name: 'custom', data });
  const prompt = said(30, 1, 'pre_llm_call', { user_message: 'Hi' });
  const answer = said(31, 5, 'post_llm_call', { assistant_response: 'Hello.' });

  it('an exact request holds the prompt and an answer with text keeps it: nothing is written twice', () => {
    const exact = [turn(0, 'start'), prompt, llm(2, 'start', { messages: [{ role: 'user', content: 'Hi' }] }), llm(4, 'end', { choices: [{ message: { role: 'assistant', content: 'Hello!' } }] }), answer, turn(6, 'end')];
    assert.deepEqual(messages(toAtif(exact)), [['user', 'Hi'], ['agent', 'Hello!']]);
  });

  it('a turn no LLM call answered gets the answer as an agent step of its own; a mark under no turn is a system step', () => {
    assert.deepEqual(messages(toAtif([turn(0, 'start'), prompt, answer, turn(6, 'end')])), [['user', 'Hi'], ['agent', 'Hello.']]);
    const loose = ev({ kind: 'mark', uuid: uuid(32), parent_uuid: uuid(99), timestamp: at(1), name: 'hook_mark', data: { hook_event_name: 'pre_llm_call', extra: { user_message: 'Hi' } }, metadata: { agent_kind: 'hermes', hook_event_name: 'pre_llm_call' } });
    assert.deepEqual(messages(toAtif([loose])), [['system', 'pre_llm_call']]);
  });
});
