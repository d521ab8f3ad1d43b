import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsToTrajectory } from '../src/atif/export.js';
import { resolveFixes, type FixName, type ProfileName } from '../src/profiles/fixes.js';
import { stepModelName, startModelName } from '../src/atif/step-model.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { JsonNumber, type Json } from '../src/json/value.js';
import { extractResponseMessage } from '../src/providers/response.js';
import * as requestModule from '../src/providers/request.js';
import { requestReasoningObjectEffort } from '../src/providers/request.js';
import { validateTrajectory } from '../src/atif/validate/index.js';
import { finalMetrics } from '../src/atif/metrics.js';
import { guardrailBlock, isRelayTelemetryMark } from '../src/atif/relay-marks.js';
import type { Step } from '../src/atif/types.js';
import { emptyToolArgumentsApply, extractToolCalls, responsesCallIdsDiffer, responsesCustomToolCallsApply, responsesWebSearchCallsApply, responsesWebSearchSources } from '../src/providers/tool-calls.js';
import { anthropicTokenAccountingApplies, extractMetrics, providerReportedCostApplies, responsesCachedTokensApply, withAnnotatedCost, withOptimizationSummary, isOptimizationContributionMark, type Metrics } from '../src/providers/usage.js';
import { responseReasoning } from '../src/providers/reasoning.js';
import { anthropicServerToolResults } from '../src/providers/anthropic.js';
import type { ProviderRules } from '../src/providers/rules.js';
import { requestTurnState } from '../src/providers/turn-state.js';
import { requestToolResults, responsesOutputItems } from '../src/providers/tool-results.js';
import { runCli, runJson } from './support/cli.js';
import { at, ev, P, uuid } from './support/events.js';
import { byDefault, convert, fixture, overview, renumbered, seed, sources, span, without } from './support/fixes.js';

const agent = { name: 'a', version: '1' };
const toAtif = (events: AtofEvent[], profile: ProfileName = 'default', disable: FixName[] = []) =>
  eventsToTrajectory(events, { sessionId: 's', agent, fixes: resolveFixes(profile, [], disable) }).trajectory!;
const llm = (n: number, ms: number, phase: 'start' | 'end', data: Json | null, extra: Record<string, unknown> = {}) =>
  ev({ category: 'llm', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'llm', data, ...extra });
const user = (content: Json) => ({ role: 'user', content });
const chat = (...messages: Json[]) => ({ messages });
const answer = (text: string) => ({ choices: [{ message: { role: 'assistant', content: text } }] });
const stepAt = (name: string, step: number, ...flags: string[]) => runJson<{ fixes?: string[] }>(['explain', fixture(name), '--session-id', 's', '--step', String(step), ...flags]);

describe('no-repeated-user-step (#545, #957)', () => {
  const N = 'no-repeated-user-step';

  it('drops the continuation and retry user steps; their requests go to their agent steps', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(sources(s0), ['user', 'agent', 'user', 'agent', 'user', 'user', 'agent']);
    assert.deepEqual(sources(d), ['user', 'agent', 'agent', 'user', 'agent']);
    // Exactly the seed without step 3 (the tool-result continuation repeating "list the files") and
    // step 6 (the retry of the failed call); the failed attempt's user step keeps the turn's time.
    const expected = renumbered(s0.steps.filter((_, i) => i !== 2 && i !== 5));
    expected[2].extra!.llm_request = s0.steps[2].extra!.llm_request;
    expected[4].extra!.llm_request = s0.steps[5].extra!.llm_request;
    assert.deepEqual(d.steps, expected);
    assert.equal(d.steps[3].timestamp, s0.steps[4].timestamp);
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_steps: 5 });
  });

  it('explain --step names the fix on the agent step that carries the request', async () => {
    assert.deepEqual((await stepAt(N, 3)).fixes, ['no-repeated-user-step']);
    assert.equal((await stepAt(N, 2)).fixes, undefined);
  });

  it('an unanswered continuation keeps its user step and its request stays there', () => {
    const tool = { role: 'tool', tool_call_id: 'c1', content: 'ok' };
    const t = toAtif([llm(1, 0, 'start', chat(user('q'), tool)), llm(2, 5, 'start', chat(user('next'))), llm(2, 9, 'end', answer('a'))]);
    assert.deepEqual(sources(t), ['user', 'user', 'agent']);
    assert.equal(t.steps[2].extra?.llm_request, undefined);
  });

  it('Anthropic tool_result turns continue; a user message with text opens a turn', () => {
    const toolResult = { type: 'tool_result', tool_use_id: 't1', content: 'ok' };
    const continued = toAtif([llm(1, 0, 'start', chat(user([toolResult]))), llm(1, 9, 'end', answer('a'))]);
    assert.deepEqual(sources(continued), ['agent']);
    assert.deepEqual(continued.steps[0].extra?.llm_request, chat(user([toolResult])));
    const fresh = toAtif([llm(1, 0, 'start', chat(user([toolResult, { type: 'text', text: 'also this' }]))), llm(1, 9, 'end', answer('a'))]);
    assert.deepEqual(sources(fresh), ['user', 'agent']);
  });

  it('a retry needs the same request after the failed attempt ended; several failures give one user step', () => {
    const req = chat(user('q'));
    const failedThenOk = [llm(1, 0, 'start', req), llm(1, 2, 'end', null), llm(2, 3, 'start', req), llm(2, 4, 'end', null), llm(3, 5, 'start', req), llm(3, 9, 'end', answer('a'))];
    assert.deepEqual(sources(toAtif(failedThenOk)), ['user', 'agent']);
    assert.deepEqual(sources(toAtif(failedThenOk, 'relay-0.3')), ['user', 'user', 'user', 'agent']);
    const otherRequest = [llm(1, 0, 'start', req), llm(1, 2, 'end', null), llm(2, 3, 'start', chat(user('other'))), llm(2, 9, 'end', answer('a'))];
    assert.deepEqual(sources(toAtif(otherRequest)), ['user', 'user', 'agent']);
    // The first attempt ends (without a response) after the second started: two concurrent calls.
    const concurrent = [llm(1, 0, 'start', req), llm(2, 1, 'start', req), llm(1, 2, 'end', null), llm(2, 9, 'end', answer('a'))];
    assert.deepEqual(sources(toAtif(concurrent)), ['user', 'user', 'agent']);
  });

  it('a new question after a Responses tool round keeps its user step when the client sends untyped {role, content} messages', () => {
    // The OpenAI SDKs' EasyInputMessage: no `type`. NeMo-Relay HEAD skips untyped items, so the latest
    // typed item (the function_call_output) made the third request a continuation and "And in Rome?" was lost.
    const ask = { role: 'user', content: 'Weather in Paris?' };
    const call = { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const output = { type: 'function_call_output', call_id: 'call_1', output: '18C sunny' };
    const said = (text: string) => ({ output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] }] });
    const t = toAtif([
      llm(1, 0, 'start', { input: [ask] }),
      llm(1, 1, 'end', { output: [call] }),
      llm(2, 2, 'start', { input: [ask, call, output] }),
      llm(2, 3, 'end', said('18C and sunny.')),
      llm(3, 4, 'start', { input: [ask, call, output, { role: 'assistant', content: '18C and sunny.' }, { role: 'user', content: 'And in Rome?' }] }),
      llm(3, 5, 'end', said('Shall I check?')),
    ]);
    assert.deepEqual(sources(t), ['user', 'agent', 'agent', 'user', 'agent']);
    assert.equal(t.steps[3].message, 'And in Rome?');
  });

  it('reads the turn state from chat messages, Responses input and prompt', () => {
    assert.equal(requestTurnState(chat(user('q'), { role: 'assistant', content: 'a' })), 'continuation');
    assert.equal(requestTurnState(chat(user('q'), { role: 'system', content: 'be brief' })), 'fresh', 'instructions are skipped');
    assert.equal(requestTurnState(chat({ content: 'role-less' })), 'fresh');
    assert.equal(requestTurnState(chat(user(null))), 'fresh');
    assert.equal(requestTurnState(chat(user({ type: 'tool_use', id: 'x' }))), 'continuation');
    assert.equal(requestTurnState({ input: 'hi' }), 'fresh');
    assert.equal(requestTurnState({ input: [{ type: 'message', role: 'user', content: 'q' }, { type: 'function_call_output', call_id: 'c', output: 'ok' }] }), 'continuation');
    assert.equal(requestTurnState({ input: [{ type: 'function_call_output' }, { type: 'message', role: 'user', content: 'q' }, { content: 'no role' }] }), 'fresh', 'untyped items without a role say nothing');
    // An untyped item with a role is an EasyInputMessage (type defaults to "message"), read by its role.
    assert.equal(requestTurnState({ input: [{ type: 'function_call_output' }, { role: 'user', content: 'q' }] }), 'fresh');
    assert.equal(requestTurnState({ input: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }, { role: 'developer', content: 'be brief' }] }), 'continuation');
    assert.equal(requestTurnState({ prompt: '' }), 'fresh');
    assert.equal(requestTurnState({ other: 1 }), undefined);
  });
});

describe('response-model (#399, #543, #547)', () => {
  const N = 'response-model';

  it("the agent step's model is the response's, else the paired start's", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    const models = (t: typeof s0) => t.steps.filter((s) => s.source === 'agent').map((s) => s.model_name ?? null);
    assert.deepEqual(models(s0), ['gpt-4.1', null]);
    assert.deepEqual(models(d), ['gpt-4.1-2025-04-14', 'gpt-4.1-mini']);
    assert.deepEqual(without(d.steps, 'model_name'), without(s0.steps, 'model_name'));
    assert.deepEqual((await stepAt(N, 4)).fixes, ['response-model']);
  });

  it('follows the fallback chain: annotation, response body, Gemini modelVersion, end profile, start', () => {
    const end = (data: Json, extra: Record<string, unknown> = {}) => ev({ category: 'llm', scope_category: 'end', uuid: uuid(1), timestamp: at(0), name: 'llm', data, ...extra });
    assert.equal(stepModelName(end({ model: 'raw' }, { category_profile: { annotated_response: { model: 'annotated' }, model_name: 'p' } }), 's'), 'annotated');
    assert.equal(stepModelName(end({ model: 'raw' }, { category_profile: { model_name: 'p' } }), 's'), 'raw');
    assert.equal(stepModelName(end({ candidates: [], modelVersion: 'gemini-2.5-pro-001' }), 's'), 'gemini-2.5-pro-001');
    assert.equal(stepModelName(end({ modelVersion: 'not gemini' }, { category_profile: { model_name: 'p' } }), 's'), 'p');
    assert.equal(stepModelName(end({ model: 5 }), 's'), 's', 'a non-string model is no model');
    const start = (data: Json, profile?: Record<string, unknown>) => ev({ category: 'llm', scope_category: 'start', uuid: uuid(1), timestamp: at(0), name: 'llm', data, category_profile: profile ?? null });
    assert.equal(startModelName(start({ headers: {}, content: { model: 'wrapped' } })), 'wrapped');
    assert.equal(startModelName(start({ model: 'bare' }, { model_name: 'profile' })), 'profile');
    assert.equal(startModelName(start({ messages: [] })), undefined);
  });
});

describe('anthropic-tool-use (#203)', () => {
  const N = 'anthropic-tool-use';

  it('tool_use blocks become the tool calls and the message is the text blocks', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    const [a0, a] = [s0.steps[1], d.steps[1]];
    assert.equal(typeof a0.message, 'string');
    assert.match(a0.message as string, /^\[\{"text":"Let me read it\.","type":"text"\},\{"id":"toolu_01"/, 'the seed stringifies the block array');
    // At the seed the call only exists because the tool start synthesized it (with the event's extra).
    assert.deepEqual(a0.tool_calls?.map((c) => [c.tool_call_id, c.extra?.event_name]), [['toolu_01', 'read']]);
    assert.equal(a.message, 'Let me read it.');
    assert.deepEqual(a.tool_calls, [{ tool_call_id: 'toolu_01', function_name: 'read', arguments: { path: 'a.txt' } }]);
    assert.deepEqual(without(d.steps, 'message', 'tool_calls'), without(s0.steps, 'message', 'tool_calls'));
    assert.deepEqual((await stepAt(N, 2)).fixes, ['anthropic-tool-use']);
  });

  it('reads input as arguments, keeps it out of extra, and gives "" for a tool-only message', () => {
    const rules = { anthropicMessages: true };
    const toolOnly = { type: 'message', content: [{ type: 'tool_use', id: 't', name: 'sh', input: { cmd: 'ls' }, cache_control: { type: 'ephemeral' } }] };
    assert.deepEqual(extractToolCalls(toolOnly, rules), [{ tool_call_id: 't', function_name: 'sh', arguments: { cmd: 'ls' }, extra: { cache_control: { type: 'ephemeral' } } }]);
    assert.equal(extractToolCalls(toolOnly), undefined, 'not at the seed');
    assert.deepEqual(extractResponseMessage(toolOnly, rules), { value: '', branch: 'RESP_ANTHROPIC_TEXT_BLOCKS' });
    const texts = { type: 'message', content: [{ type: 'text', text: 'a' }, { type: 'text', text: '  ' }, { type: 'text', text: 'b' }] };
    assert.equal(extractResponseMessage(texts, rules).value, 'a\nb', 'blank blocks are left out');
    // Blank as the reference's str::trim tells it (Unicode White_Space), not as JavaScript's trim.
    const only = (text: string) => ({ type: 'message', content: [{ type: 'text', text }, toolOnly.content[0]] });
    assert.equal(extractResponseMessage(only('\u0085'), rules).value, '', 'U+0085 NEXT LINE is whitespace');
    assert.equal(extractResponseMessage(only('\ufeff'), rules).value, '\ufeff', 'U+FEFF is not');
    assert.deepEqual(extractResponseMessage(texts).value, texts.content, 'the seed keeps a text-part array as parts');
    const notAnthropic = { content: [{ type: 'text', text: 'a' }] };
    assert.deepEqual(extractResponseMessage(notAnthropic, rules).branch, 'RESP_CONTENT', 'only type "message" responses');
  });

  it('the tool-correlation pre-pass sees the promoted calls too', () => {
    const response = { type: 'message', content: [{ type: 'tool_use', id: 'toolu_9', name: 'read', input: { path: 'x' } }] };
    // The tool ran before the LLM end was recorded and names no id: only the keyed pre-pass can link it.
    const events = [
      ev({ category: 'tool', scope_category: 'start', uuid: uuid(5), parent_uuid: P, timestamp: at(1), name: 'read', data: { path: 'x' } }),
      ev({ category: 'tool', scope_category: 'end', uuid: uuid(5), parent_uuid: P, timestamp: at(2), name: 'read', data: 'contents' }),
      llm(1, 3, 'end', response),
    ];
    const d = toAtif(events);
    assert.deepEqual(d.steps.map((s) => [s.source, s.observation?.results.map((r) => r.source_call_id)]), [['agent', ['toolu_9']]]);
    assert.equal(toAtif(events, 'relay-0.3').steps[0].source, 'system', 'the seed leaves the result standalone');
  });
});

describe('responses-function-calls (quirks Q3, Q7)', () => {
  const N = 'responses-function-calls';

  it('a function_call item is one tool call under its call_id, the result attached to it; a calls-only answer has message ""', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    const [a0, a] = [s0.steps[1], d.steps[1]];
    // The seed: the item id fc_01 matches nothing, so the tool start synthesizes a second call call_01.
    assert.deepEqual(a0.tool_calls?.map((c) => c.tool_call_id), ['fc_01', 'call_01']);
    assert.match(a0.message as string, /^\{"id":"resp_01"/, 'the seed writes the whole response as the message');
    assert.deepEqual(a.tool_calls, [{ tool_call_id: 'call_01', function_name: 'shell', arguments: { command: ['npm', 'test'] }, extra: { id: 'fc_01', status: 'completed' } }]);
    assert.equal(a.message, '');
    assert.deepEqual(a.observation?.results.map((r) => [r.source_call_id, r.content]), [['call_01', '1 failing']]);
    assert.deepEqual(without(d.steps, 'message', 'tool_calls'), without(s0.steps, 'message', 'tool_calls'));
    assert.deepEqual((await stepAt(N, 2)).fixes, ['responses-function-calls']);
  });

  it('reads call_id first only for Responses items; an item without call_id keeps its id, a text answer its text', () => {
    const rules = { responsesFunctionCalls: true };
    const item = (fields: Record<string, Json>) => ({ output: [{ type: 'function_call', name: 'sh', arguments: '{}', ...fields }] });
    assert.deepEqual(extractToolCalls(item({ id: 'fc_1', call_id: 'call_1' }), rules)?.map((c) => [c.tool_call_id, c.extra]), [['call_1', { id: 'fc_1' }]]);
    assert.deepEqual(extractToolCalls(item({ id: 'fc_1' }), rules)?.map((c) => [c.tool_call_id, c.extra]), [['fc_1', undefined]]);
    assert.deepEqual(extractToolCalls(item({ id: 'call_1', call_id: 'call_1' }), rules)?.map((c) => [c.tool_call_id, c.extra]), [['call_1', undefined]]);
    assert.deepEqual(extractToolCalls(item({ id: 'fc_1', call_id: 'call_1' }))?.map((c) => c.tool_call_id), ['fc_1'], 'not at the seed');
    // Chat-style calls are read as before: id first.
    const chatCalls = { choices: [{ message: { content: null, tool_calls: [{ id: 'a', call_id: 'b', function: { name: 'sh', arguments: '{}' } }] } }] };
    assert.deepEqual(extractToolCalls(chatCalls, rules)?.map((c) => c.tool_call_id), ['a']);
    const withText: Json = { output: [{ type: 'message', content: [{ type: 'output_text', text: 'running' }] }, { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'sh' }] };
    assert.deepEqual(extractResponseMessage(withText, rules), { value: 'running', branch: 'RESP_RESPONSES_OUTPUT' });
    assert.deepEqual(extractResponseMessage(item({ call_id: 'c' }), rules), { value: '', branch: 'RESP_RESPONSES_FUNCTION_CALLS_ONLY' });
    assert.equal(extractResponseMessage(item({ call_id: 'c' })).branch, 'RESP_WHOLE_BODY');
  });

  it('a call_id that names nothing (null, empty, not a string) leaves the item its id, as relay-0.3, and explain agrees', () => {
    const rules = { responsesFunctionCalls: true };
    const item = (fields: Record<string, Json>) => ({ output: [{ type: 'function_call', name: 'sh', arguments: '{}', ...fields }] });
    // Was 'sh:1' (the call_id key present decided, null or not), with the item id fc_1 moved to extra.
    for (const callId of [null, '', 7, { v: 'x' }] as Json[]) {
      const calls = extractToolCalls(item({ id: 'fc_1', call_id: callId }), rules);
      assert.deepEqual(calls?.map((c) => c.tool_call_id), ['fc_1'], `call_id ${JSON.stringify(callId)}`);
      assert.equal(calls?.[0].extra?.id, undefined, 'the id is the call id, not copied to extra');
      assert.equal(responsesCallIdsDiffer(item({ id: 'fc_1', call_id: callId })), false);
      assert.deepEqual(calls, extractToolCalls(item({ id: 'fc_1', call_id: callId })), 'the same calls as without the fix');
    }
    assert.equal(responsesCallIdsDiffer(item({ id: 'fc_1', call_id: 'call_1' })), true);
  });
});

describe('chat-refusal-message (atif-conversion.md §3.7)', () => {
  const N = 'chat-refusal-message';

  it("a refused chat answer's message is its refusal; every other step is as without the fix", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.match(s0.steps[1].message as string, /^\{"choices":\[/, 'the seed writes the whole response as the message');
    assert.equal(d.steps[1].message, "I'm sorry, I can't help with that.");
    assert.deepEqual(without(d.steps, 'message'), without(s0.steps, 'message'));
    assert.equal(d.steps[3].message, s0.steps[3].message, 'an answer with content and refusal null is read as before');
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
  });

  it('reads the refusal only where the first choice has no content: content, tool calls and a blank refusal come first or are none', () => {
    const rules = { chatRefusal: true };
    const refused = (message: Record<string, Json>) => ({ choices: [{ message: { role: 'assistant', content: null, ...message } }] });
    assert.deepEqual(extractResponseMessage(refused({ refusal: 'No.' }), rules), { value: 'No.', branch: 'RESP_CHOICES_REFUSAL' });
    assert.equal(extractResponseMessage(refused({ refusal: 'No.' })).branch, 'RESP_WHOLE_BODY', 'not at the seed');
    assert.deepEqual(extractResponseMessage(refused({ content: 'Yes.', refusal: 'No.' }), rules), { value: 'Yes.', branch: 'RESP_CHOICES_MESSAGE' });
    assert.equal(extractResponseMessage(refused({ refusal: '' }), rules).branch, 'RESP_WHOLE_BODY');
    assert.equal(extractResponseMessage(refused({ refusal: null, tool_calls: [] }), rules).branch, 'RESP_TOOL_CALLS_ONLY');
  });
});

describe('empty-tool-arguments (atif-conversion.md §3.8)', () => {
  const N = 'empty-tool-arguments';

  it('a call sent with the arguments "" has no arguments; every other call and step is as without the fix', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(s0.steps[1].tool_calls?.map((c) => c.arguments), [{ raw: '' }, { path: 'a.txt' }]);
    assert.deepEqual(d.steps[1].tool_calls?.map((c) => c.arguments), [{}, { path: 'a.txt' }]);
    assert.deepEqual(without(d.steps, 'tool_calls'), without(s0.steps, 'tool_calls'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
  });

  it('reads only blank strings as no arguments; is named only where it changes a call', () => {
    const rules = { emptyToolArguments: true };
    const answer = (...args: Json[]) => ({ choices: [{ message: { content: null, tool_calls: args.map((a, i) => ({ id: `c${i}`, function: { name: 'f', arguments: a } })) } }] });
    const read = (data: Json) => extractToolCalls(data, rules)?.map((c) => c.arguments);
    assert.deepEqual(read(answer('', ' \n', '{}', 'not json', '"x"')), [{}, {}, {}, { raw: 'not json' }, { value: 'x' }]);
    assert.deepEqual(extractToolCalls(answer(''))?.map((c) => c.arguments), [{ raw: '' }], 'not at the seed');
    assert.equal(emptyToolArgumentsApply(answer('', '{}'), extractToolCalls(answer('', '{}'), rules), rules), true);
    assert.equal(emptyToolArgumentsApply(answer('{}'), extractToolCalls(answer('{}'), rules), rules), false, '{} sent is read as before');
  });
});

describe('hook-turn-steps (atif-conversion.md §3.5–3.6)', () => {
  const N = 'hook-turn-steps';
  const turn = (n: number, ms: number, phase: 'start' | 'end', data: Json, source = 'user_prompt') =>
    ev({ category: 'agent', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'claude-code-turn', data, metadata: { nemo_relay_scope_role: 'turn', turn_source: source } });
  const tool = (n: number, ms: number, phase: 'start' | 'end', data: Json) =>
    ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: 'Bash', data, category_profile: { tool_call_id: 'toolu_1' } });
  const messages = (t: { steps: Array<{ source: string; message: Json }> }) => t.steps.map((s) => `${s.source}: ${typeof s.message === 'string' ? s.message : JSON.stringify(s.message)}`);

  it("turns of hooks alone get their prompt, their tools and their stop hook's answer; the turn a gateway call speaks for is as without the fix", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(messages(s0), ['user: What does src/cli.ts export?', 'agent: It exports main().']);
    assert.deepEqual(messages(d), ['user: What does src/cli.ts export?', 'agent: It exports main().', 'user: Run the tests.', 'agent: ', 'agent: All 12 tests pass.', 'user: Thanks!']);
    assert.deepEqual(d.steps.slice(0, 1), s0.steps.slice(0, 1));
    // relay-0.3 hangs the second turn's Bash on the first turn's answer; the new turn closes that step.
    assert.deepEqual(s0.steps[1].tool_calls?.map((c) => c.function_name), ['Bash']);
    assert.equal(d.steps[1].tool_calls, undefined);
    const tools = d.steps[3];
    assert.deepEqual(tools.tool_calls?.map((c) => [c.tool_call_id, c.function_name, c.arguments]), [['toolu_t1', 'Bash', { command: 'npm test' }]]);
    assert.deepEqual(tools.observation?.results.map((r) => [r.source_call_id, r.content]), [['toolu_t1', '12 passing']]);
    assert.equal(tools.llm_call_count, 0);
    assert.deepEqual([d.steps[2].timestamp, tools.timestamp, d.steps[4].timestamp], ['2026-06-01T09:01:00+00:00', '2026-06-01T09:01:02+00:00', '2026-06-01T09:01:10+00:00']);
    for (const step of [3, 4, 5, 6]) assert.deepEqual((await stepAt(N, step)).fixes, [N], `step ${step}`);
  });

  it('a turn whose first captured call continues it (the prompt is in no user step) gets the prompt before that call\'s step', () => {
    const continuation = chat(user('Fix the bug.'), { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Bash', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' });
    const events = [turn(10, 0, 'start', { prompt: 'Fix the bug.' }), llm(1, 5, 'start', continuation), llm(1, 9, 'end', answer('Fixed.')), turn(10, 10, 'end', { last_assistant_message: 'Fixed.' })];
    assert.deepEqual(messages(toAtif(events)), ['user: Fix the bug.', 'agent: Fixed.']);
    assert.deepEqual(messages(toAtif(events, 'default', [N])), ['agent: Fixed.']);
    // A tool the proxy saw no request for comes first: it has its step, and the captured call then answers.
    const late = [events[0], tool(2, 1, 'start', { command: 'make' }), tool(2, 2, 'end', 'built'), ...events.slice(1)];
    const t = toAtif(late);
    assert.deepEqual(messages(t), ['user: Fix the bug.', 'agent: ', 'agent: Fixed.']);
    assert.deepEqual(t.steps[1].tool_calls?.map((c) => c.function_name), ['Bash']);
    assert.deepEqual(t.steps[1].observation?.results.map((r) => r.content), ['built']);
  });

  it('reads only prompt-hook turns, non-blank texts, and writes the prompt once', () => {
    const ask = (source: string, prompt: Json) => messages(toAtif([turn(10, 0, 'start', { prompt }, source), tool(2, 1, 'start', {}), tool(2, 2, 'end', 'done'), turn(10, 3, 'end', { last_assistant_message: '  ' })]));
    assert.deepEqual(ask('user_prompt', 'Go.'), ['user: Go.', 'agent: ']);
    assert.deepEqual(ask('implicit', 'Go.'), ['system: '], 'a turn a tool hook opened');
    assert.deepEqual(ask('gateway_request', 'Go.'), ['system: '], 'a turn the gateway opened: its LLM start speaks');
    assert.deepEqual(ask('user_prompt', ' \n'), ['system: ']);
    assert.deepEqual(ask('user_prompt', 7), ['system: ']);
    // A request of the turn with a user message stands for the prompt, however many steps follow.
    const spoken = toAtif([turn(10, 0, 'start', { prompt: 'Hi' }), llm(1, 1, 'start', chat(user('Hi'))), llm(1, 2, 'end', answer('Hello')), tool(2, 3, 'start', {}), tool(2, 4, 'end', 'x'), turn(10, 5, 'end', { last_assistant_message: 'Hello' })]);
    assert.deepEqual(sources(spoken).filter((s) => s === 'user'), ['user']);
  });

  it('the prompt goes ahead of the hook marks read before the turn showed it (Cursor beforeReadFile, a Notification), never ahead of a tool step', () => {
    const mark = (n: number, ms: number, hook: string) =>
      ev({ kind: 'mark', uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: 'hook_mark', data: { hook_event_name: hook, file_path: 'a.ts' }, metadata: { hook_event_name: hook } });
    const t = toAtif([turn(10, 0, 'start', { prompt: 'Fix a.ts.' }), mark(30, 1, 'beforeReadFile'), tool(2, 2, 'start', {}), tool(2, 3, 'end', 'ok'), mark(31, 4, 'afterFileEdit'), turn(10, 5, 'end', {})]);
    // Before: the prompt was written at the first tool, after the mark that came after it (and its timestamp went back).
    assert.deepEqual(messages(t), ['user: Fix a.ts.', 'system: beforeReadFile', 'agent: ', 'system: afterFileEdit']);
    assert.deepEqual(t.steps.map((s) => s.step_id), [1, 2, 3, 4]);
    const times = t.steps.map((s) => s.timestamp!);
    assert.deepEqual([...times].sort(), times, 'in time order');
    // A turn whose prompt is written only at its end (marks alone) keeps it ahead of them too.
    assert.deepEqual(messages(toAtif([turn(10, 0, 'start', { prompt: 'Hi' }), mark(30, 1, 'Notification'), turn(10, 2, 'end', {})])), ['user: Hi', 'system: Notification']);
  });

  it("a subagent's own scope is a turn of it: its tools get their step and its stop hook's answer its own", () => {
    const agentScope = (n: number, parent: string | null, ms: number, phase: 'start' | 'end', role: string, data: Json) =>
      ev({ category: 'agent', scope_category: phase, uuid: uuid(n), parent_uuid: parent, timestamp: at(ms), name: role, data, metadata: { nemo_relay_scope_role: role } });
    const read = (n: number, ms: number, phase: 'start' | 'end', data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(21), timestamp: at(ms), name: 'Read', data, category_profile: { tool_call_id: 'toolu_r1' } });
    const events = [
      agentScope(20, null, 0, 'start', 'session', null),
      agentScope(21, uuid(20), 1, 'start', 'subagent', { agent_type: 'reviewer' }),
      read(3, 2, 'start', { file_path: 'a.ts' }),
      read(3, 3, 'end', 'text of a.ts'),
      agentScope(21, uuid(20), 4, 'end', 'subagent', { last_assistant_message: 'No bugs found.' }),
      agentScope(20, null, 5, 'end', 'session', null),
    ];
    const child = (t: ReturnType<typeof toAtif>) => t.subagent_trajectories?.[0];
    const d = child(toAtif(events))!;
    assert.deepEqual(messages(d), ['agent: ', 'agent: No bugs found.']);
    assert.deepEqual(d.steps[0].tool_calls?.map((c) => [c.function_name, c.arguments]), [['Read', { file_path: 'a.ts' }]]);
    assert.deepEqual(d.steps[0].observation?.results.map((r) => r.content), ['text of a.ts']);
    assert.deepEqual(messages(child(toAtif(events, 'default', [N]))!), ['system: ']);
  });

  describe("a Claude Code subagent's task, the prompt of the Task/Agent call that launched it, opens its trajectory", () => {
    // A session (20) holding a turn (10); Task/Agent calls and subagents (`subagent:<id>`) under the turn.
    const session = (ms: number, phase: 'start' | 'end') =>
      ev({ category: 'agent', scope_category: phase, uuid: uuid(20), parent_uuid: null, timestamp: at(ms), name: 'claude-code', data: null, metadata: { nemo_relay_scope_role: 'session' } });
    const userTurn = (ms: number, phase: 'start' | 'end') =>
      ev({ category: 'agent', scope_category: phase, uuid: uuid(10), parent_uuid: uuid(20), timestamp: at(ms), name: 'claude-code-turn', data: phase === 'start' ? { prompt: 'Review the code.' } : null, metadata: { nemo_relay_scope_role: 'turn', turn_source: 'user_prompt' } });
    const task = (n: number, ms: number, phase: 'start' | 'end', data: Json, name = 'Task', kind = 'claude-code') =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name, data, metadata: { agent_kind: kind }, category_profile: { tool_call_id: `toolu_${n}` } });
    const sub = (n: number, id: string, ms: number, phase: 'start' | 'end', data: Json = null) =>
      ev({ category: 'agent', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(10), timestamp: at(ms), name: `subagent:${id}`, data, metadata: { nemo_relay_scope_role: 'subagent', agent_id: id } });
    const grep = (n: number, parent: number, ms: number, phase: 'start' | 'end') =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: uuid(parent), timestamp: at(ms), name: 'Grep', data: phase === 'start' ? { pattern: 'TODO' } : 'a.ts:3', category_profile: { tool_call_id: `toolu_${n}` } });
    const input = (prompt: string) => ({ description: 'Look', prompt, subagent_type: 'Explore' });
    const children = (events: AtofEvent[], disable: FixName[] = []) => (toAtif(events, 'default', disable).subagent_trajectories ?? []).map(messages);
    const around = (...inner: AtofEvent[]) => [session(0, 'start'), userTurn(1, 'start'), ...inner, userTurn(90, 'end'), session(91, 'end')];

    it('one subagent: its task as its user step before its tools and answer; not without the fix', () => {
      const events = around(
        task(30, 2, 'start', input('Find the TODOs.')),
        sub(21, 'a1', 3, 'start'), grep(31, 21, 4, 'start'), grep(31, 21, 5, 'end'), sub(21, 'a1', 6, 'end', { last_assistant_message: 'One TODO in a.ts.' }),
        task(30, 7, 'end', { status: 'completed', agentId: 'a1', content: [{ type: 'text', text: 'One TODO in a.ts.' }] }),
      );
      assert.deepEqual(children(events), [['user: Find the TODOs.', 'agent: ', 'agent: One TODO in a.ts.']]);
      assert.deepEqual(children(events, [N]), [['system: ']]);
      const child = toAtif(events).subagent_trajectories![0];
      assert.equal(child.steps[0].timestamp, '2026-01-01T00:00:00.003+00:00', "at the subagent's start");
    });

    it('parallel calls: each subagent gets the task of the call whose result names its agentId, whatever the order', () => {
      const events = around(
        task(30, 2, 'start', input('Check a.ts.'), 'Agent'), task(32, 3, 'start', input('Check b.ts.'), 'Agent'),
        sub(21, 'b', 4, 'start'), sub(22, 'a', 5, 'start'), grep(31, 21, 6, 'start'), grep(31, 21, 7, 'end'), grep(33, 22, 8, 'start'), grep(33, 22, 9, 'end'),
        sub(21, 'b', 10, 'end'), sub(22, 'a', 11, 'end'),
        task(32, 12, 'end', { status: 'completed', agentId: 'b' }), task(30, 13, 'end', { status: 'completed', agentId: 'a' }),
      );
      assert.deepEqual(children(events).map((c) => c[0]), ['user: Check b.ts.', 'user: Check a.ts.']);
    });

    it('without an agentId: the one call open beside the subagent; two open calls, another agent\'s tool or no prompt: no user step', () => {
      const noId = (...calls: AtofEvent[]) => around(...calls, sub(21, 'x', 5, 'start'), grep(31, 21, 6, 'start'), grep(31, 21, 7, 'end'), sub(21, 'x', 8, 'end'));
      assert.deepEqual(children(noId(task(30, 2, 'start', input('Only one.'))))[0][0], 'user: Only one.');
      assert.deepEqual(children(noId(task(30, 2, 'start', input('One.')), task(32, 3, 'start', input('Two.'))))[0][0], 'agent: ');
      assert.deepEqual(children(noId(task(30, 2, 'start', input('Codex.'), 'Task', 'codex')))[0][0], 'agent: ');
      assert.deepEqual(children(noId(task(30, 2, 'start', { description: 'Look' })))[0][0], 'agent: ');
      // A call already ended (a finished subagent's) is not open any more.
      assert.deepEqual(children(noId(task(30, 2, 'start', input('Done before.')), task(30, 3, 'end', 'ok')))[0][0], 'agent: ');
    });

    it("a subagent whose captured request holds its task writes it once, from the request", () => {
      const events = around(
        task(30, 2, 'start', input('Find the TODOs.')),
        sub(21, 'a1', 3, 'start'),
        ev({ category: 'llm', scope_category: 'start', uuid: uuid(40), parent_uuid: uuid(21), timestamp: at(4), name: 'llm', data: chat(user('Find the TODOs.')) }),
        ev({ category: 'llm', scope_category: 'end', uuid: uuid(40), parent_uuid: uuid(21), timestamp: at(5), name: 'llm', data: answer('One TODO.') }),
        sub(21, 'a1', 6, 'end', { last_assistant_message: 'One TODO.' }),
        task(30, 7, 'end', { status: 'completed', agentId: 'a1' }),
      );
      const child = toAtif(events).subagent_trajectories![0];
      assert.deepEqual(messages(child), ['user: Find the TODOs.', 'agent: One TODO.']);
      assert.ok(child.steps[0].extra?.llm_request, "the request's user step");
    });
  });

  it("the answer step has the model a stop hook names (Codex's)", () => {
    const t = toAtif([turn(10, 0, 'start', { prompt: 'Go.' }), turn(10, 1, 'end', { last_assistant_message: 'Done.', model: 'gpt-5-codex' })]);
    assert.deepEqual(t.steps.map((s) => [s.source, s.message, s.model_name]), [['user', 'Go.', undefined], ['agent', 'Done.', 'gpt-5-codex']]);
  });

  it('an LLM start without a request and an unended turn still give the prompt', () => {
    assert.deepEqual(messages(toAtif([turn(10, 0, 'start', { prompt: 'A' }), llm(1, 1, 'start', null), llm(1, 2, 'end', answer('B'))])), ['user: A', 'agent: B']);
    assert.deepEqual(messages(toAtif([turn(10, 0, 'start', { prompt: 'A' }), turn(11, 5, 'start', { prompt: 'C' })])), ['user: A', 'user: C']);
  });
});

describe('responses-custom-tool-calls (atif-conversion.md §3.8)', () => {
  const N = 'responses-custom-tool-calls';
  const patch = '*** Begin Patch\n*** Update File: a.txt\n@@\n-alpha\n+beta\n*** End Patch\n';

  it("a Codex apply_patch and a local shell call are the step's tool calls, and the answer of calls alone has no message", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.equal(s0.steps[1].tool_calls, undefined);
    assert.match(String(s0.steps[1].message), /^\{"id":"resp_1"/);
    assert.equal(d.steps[1].message, '');
    assert.deepEqual(d.steps[1].tool_calls, [
      { tool_call_id: 'call_patch', function_name: 'apply_patch', arguments: { input: patch }, extra: { id: 'ctc_1', status: 'completed', type: 'custom_tool_call' } },
      { tool_call_id: 'call_ls', function_name: 'local_shell', arguments: { command: ['ls', '-1'], type: 'exec', working_directory: '/w' }, extra: { id: 'lsh_1', status: 'completed', type: 'local_shell_call' } },
    ]);
    assert.deepEqual(without(d.steps, 'tool_calls', 'message'), without(s0.steps, 'tool_calls', 'message'));
    // The empty message of an answer of calls alone is responses-function-calls' rule, now seeing these calls too.
    assert.deepEqual((await stepAt(N, 2)).fixes, [N, 'responses-function-calls']);
  });

  it('reads custom calls beside function calls, in output order; not at the seed, and not where chat-style calls are', () => {
    const rules = { responsesFunctionCalls: true, responsesCustomToolCalls: true };
    const output = (...items: Json[]) => ({ output: items });
    const fn = { type: 'function_call', id: 'fc_1', call_id: 'call_fn', name: 'shell', arguments: '{"command":["pwd"]}' };
    const custom = { type: 'custom_tool_call', call_id: 'call_c', name: 'apply_patch', input: 'x' };
    const ids = (data: Json, r: ProviderRules) => extractToolCalls(data, r)?.map((c) => c.tool_call_id);
    assert.deepEqual(ids(output(custom, fn), rules), ['call_c', 'call_fn']);
    assert.deepEqual(ids(output(custom, fn), { responsesFunctionCalls: true }), ['call_fn'], 'relay-0.3 reads function calls only');
    assert.equal(ids(output(custom), {}), undefined);
    assert.deepEqual(ids(output({ type: 'custom_tool_call', name: 'apply_patch', input: 'x' }), rules), ['apply_patch:1'], 'no call_id: named by position, as a function call is');
    assert.equal(responsesCustomToolCallsApply(output(fn)), false);
    assert.equal(responsesCustomToolCallsApply({ ...output(custom), tool_calls: [{ id: 'c', function: { name: 'f' } }] }), false);
    assert.equal(responsesCustomToolCallsApply(output(custom)), true);
  });
});

describe('responses-web-search-calls (atif-conversion.md §3.8)', () => {
  const N = 'responses-web-search-calls';

  it("the web searches the answer ran are the step's tool calls, a search's sources its result; nothing else changes", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.equal(s0.steps[1].tool_calls, undefined);
    assert.equal(s0.steps[1].observation, undefined);
    assert.equal(d.steps[1].message, 'Vitest 3 reworked the reporter API.');
    assert.deepEqual(d.steps[1].tool_calls, [
      { tool_call_id: 'ws_1', function_name: 'web_search', arguments: { query: 'vitest 3 changelog', type: 'search' }, extra: { status: 'completed', type: 'web_search_call' } },
      { tool_call_id: 'ws_2', function_name: 'web_search', arguments: { type: 'open_page', url: 'https://vitest.dev/blog/vitest-3' }, extra: { status: 'completed', type: 'web_search_call' } },
    ]);
    // The open_page action carries no sources: no result for it.
    assert.deepEqual(d.steps[1].observation, {
      results: [{ content: 'https://vitest.dev/blog/vitest-3\nhttps://github.com/vitest-dev/vitest/releases', extra: { source: 'llm_response', type: 'web_search_call' }, source_call_id: 'ws_1' }],
    });
    assert.deepEqual(without(d.steps, 'tool_calls', 'observation'), without(s0.steps, 'tool_calls', 'observation'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
  });

  it('reads web searches beside function calls, in output order; not at the seed; an answer of searches alone has no message', () => {
    const rules: ProviderRules = { responsesFunctionCalls: true, responsesCustomToolCalls: true, responsesWebSearchCalls: true };
    const fn = { type: 'function_call', id: 'fc_1', call_id: 'call_fn', name: 'shell', arguments: '{}' };
    const custom = { type: 'custom_tool_call', call_id: 'call_c', name: 'apply_patch', input: 'x' };
    const bare = { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q', sources: [{ type: 'url', url: 'https://a.example' }] } };
    const output = (...items: Json[]) => ({ output: items });
    const ids = (data: Json, r: ProviderRules) => extractToolCalls(data, r)?.map((c) => c.tool_call_id);
    assert.deepEqual(ids(output(custom, bare, fn), rules), ['call_c', 'web_search:2', 'call_fn'], 'no item id: named by position');
    assert.deepEqual(ids(output(bare, fn), { responsesFunctionCalls: true }), ['call_fn'], 'relay-0.3 reads function calls only');
    assert.equal(ids(output(bare), {}), undefined);
    // The result is named as the call is, under the same rules.
    assert.deepEqual(responsesWebSearchSources(output(custom, bare, fn), true), [{ callId: 'web_search:2', content: 'https://a.example' }]);
    assert.deepEqual(responsesWebSearchSources(output({ ...bare, id: 'ws_9', action: { type: 'search', query: 'q' } })), []);
    assert.deepEqual(extractResponseMessage(output(bare), rules), { value: '', branch: 'RESP_RESPONSES_FUNCTION_CALLS_ONLY' });
    assert.equal(responsesWebSearchCallsApply(output(fn)), false);
    assert.equal(responsesWebSearchCallsApply({ ...output(bare), tool_calls: [{ id: 'c', function: { name: 'f' } }] }), false);
    assert.equal(responsesWebSearchCallsApply(output(bare)), true);
  });
});

describe('null-request-user-step', () => {
  const N = 'null-request-user-step';

  it("a request whose body was not read writes no '' user step; the turn's prompt is written there instead", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(s0.steps.map((x) => [x.source, x.message]), [['user', ''], ['agent', 'Two tests fail in math.test.ts.']]);
    assert.deepEqual(d.steps.map((x) => [x.source, x.message]), [['user', 'Which tests fail?'], ['agent', 'Two tests fail in math.test.ts.']]);
    // The prompt's step is the turn's (its time, no llm_request), and says which fixes wrote it.
    assert.equal(d.steps[0].timestamp, '2026-06-01T10:00:01+00:00');
    assert.equal((d.steps[0].extra as { llm_request?: unknown } | undefined)?.llm_request, undefined);
    assert.deepEqual((await stepAt(N, 1)).fixes, ['hook-turn-steps', N]);
    assert.deepEqual(without(d.steps, 'message', 'timestamp', 'extra').slice(1), without(s0.steps, 'message', 'timestamp', 'extra').slice(1));
  });

  it('without hook-turn-steps there is no user step; a request that was read keeps its own', async () => {
    const alone = await convert(N, '--profile', 'relay-0.3', '--fix', N);
    assert.deepEqual(sources(alone), ['agent']);
    const t = toAtif([llm(1, 0, 'start', { headers: {}, content: { model: 'm', input: 'Hi' } }), llm(1, 1000, 'end', { output_text: 'Hello' })]);
    assert.deepEqual(t.steps.map((x) => [x.source, x.message]), [['user', 'Hi'], ['agent', 'Hello']]);
  });
});

describe('hermes-summary-messages', () => {
  const N = 'hermes-summary-messages';
  // What the Hermes adapter writes for hooks that sent no exact payload (src/hooks/hermes-llm.ts).
  const summaryRequest = { headers: {}, content: { api_call_count: 1, message_count: 2, task_id: 't1', fidelity: { provider_payload_exact: false, source: 'hermes_pre_api_request' } } };
  const summaryAnswer = { api_call_count: 1, finish_reason: 'stop', task_id: 't1', usage: { prompt_tokens: 900, completion_tokens: 12 } };
  const hermes = (hook: string, exact = false) => ({ metadata: { agent_kind: 'hermes', hook_event_name: hook, fidelity_source: exact ? 'hermes_api_hooks_sanitized' : 'hermes_api_hooks', provider_payload_exact: exact } });

  it("a Hermes call whose hooks sent summaries writes no summary JSON as the user's message or the agent's answer", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    // Fixture: a truncated pre_api_request (request_char_count 91200, _truncated) and its post_api_request.
    assert.deepEqual(s0.steps.map((x) => x.source), ['user', 'agent']);
    assert.match(s0.steps[0].message as string, /^\{"api_call_count":1,"fidelity":/);
    assert.match(s0.steps[1].message as string, /^\{"api_call_count":1,"assistant_content_chars":31,/);
    assert.deepEqual(d.steps.map((x) => [x.source, x.message]), [['agent', '']]);
    // Nothing else is lost: the summaries are the step's llm_request and llm_response, the usage its metrics.
    const extra = d.steps[0].extra as { llm_request: { request_char_count: number }; llm_response: { finish_reason: string } };
    assert.equal(extra.llm_request.request_char_count, 91200);
    assert.equal(extra.llm_response.finish_reason, 'stop');
    assert.deepEqual(d.steps[0].metrics, s0.steps[1].metrics);
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_steps: 1 });
    assert.deepEqual((await stepAt(N, 1)).fixes, [N]);
  });

  it('reads only Hermes summaries: an exact Hermes call, an error answer and a body without messages are as before', () => {
    const t = (start: Json, end: Json, endMeta: Record<string, unknown>) => toAtif([llm(1, 0, 'start', start, hermes('pre_api_request')), llm(1, 10, 'end', end, endMeta)]).steps.map((x) => [x.source, x.message]);
    assert.deepEqual(t(summaryRequest, summaryAnswer, hermes('post_api_request')), [['agent', '']]);
    assert.deepEqual(toAtif([llm(1, 0, 'start', summaryRequest), llm(1, 10, 'end', summaryAnswer, hermes('post_api_request'))], 'relay-0.3').steps.map((x) => x.source), ['user', 'agent']);
    // The same data marked exact (a sanitized Hermes body), or an api_request_error's summary: kept as relay-0.3 writes them.
    assert.match(t(summaryRequest, summaryAnswer, hermes('post_api_request', true))[0][1] as string, /^\{"api_call_count":1,"finish_reason":"stop",/);
    const error = { status_code: 502, error: { message: 'bad gateway' } };
    assert.deepEqual(t(summaryRequest, error, hermes('api_request_error')), [['agent', '{"error":{"message":"bad gateway"},"status_code":502}']]);
    // A request without the summary's fidelity marker is a request (its whole body, as relay-0.3).
    const other = { headers: {}, content: { api_call_count: 1 } };
    assert.deepEqual(t(other, { choices: [{ message: { role: 'assistant', content: 'ok' } }] }, hermes('post_api_request')), [['user', '{"api_call_count":1}'], ['agent', 'ok']]);
  });
});

describe('responses-reasoning-effort', () => {
  const N = 'responses-reasoning-effort';

  it("a Responses request's reasoning.effort is the agent step's reasoning_effort; nothing else changes", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.equal(s0.steps[1].reasoning_effort, undefined);
    assert.equal(d.steps[1].reasoning_effort, 'high');
    assert.deepEqual(without(d.steps, 'reasoning_effort'), without(s0.steps, 'reasoning_effort'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
  });

  it('reads a string or number effort, after a top-level reasoning_effort, and only with the fix', () => {
    assert.equal(requestReasoningObjectEffort({ reasoning: { effort: 'minimal', summary: 'auto' } }), 'minimal');
    assert.equal(requestReasoningObjectEffort({ reasoning: { effort: 0.5 } }), 0.5);
    for (const body of [{ reasoning: { summary: 'auto' } }, { reasoning: { effort: null } }, { reasoning: { effort: { level: 'high' } } }, { reasoning: 'high' }, null]) {
      assert.equal(requestReasoningObjectEffort(body as Json), undefined, JSON.stringify(body));
    }
    const effortOf = (body: Json, profile: ProfileName = 'default') =>
      toAtif([llm(1, 0, 'start', { headers: {}, content: body }), llm(1, 1000, 'end', { output_text: 'ok' })], profile).steps.find((x) => x.source === 'agent')?.reasoning_effort;
    assert.equal(effortOf({ input: 'q', reasoning: { effort: 'low' } }), 'low');
    assert.equal(effortOf({ input: 'q', reasoning_effort: 'high', reasoning: { effort: 'low' } }), 'high', 'the top-level key first');
    assert.equal(effortOf({ input: 'q', reasoning: { effort: 'low' } }, 'relay-0.3'), undefined);
    // An effort is the request's own: the next request without one gives its answer none.
    const two = toAtif([
      llm(1, 0, 'start', { headers: {}, content: { input: 'a', reasoning: { effort: 'low' } } }), llm(1, 1000, 'end', { output_text: 'A' }),
      llm(2, 2000, 'start', { headers: {}, content: { input: 'b' } }), llm(2, 3000, 'end', { output_text: 'B' }),
    ]);
    assert.deepEqual(two.steps.filter((x) => x.source === 'agent').map((x) => x.reasoning_effort), ['low', undefined]);
  });
});

describe('retry-after-error-answer (#957)', () => {
  const N = 'retry-after-error-answer';

  it("the request resent after an overloaded_error answer writes no user step; the error keeps its agent step", async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.deepEqual(sources(off), ['user', 'agent', 'user', 'agent']);
    assert.deepEqual(sources(d), ['user', 'agent', 'agent']);
    // Exactly the output without the fix, less the repeated user step, whose request the answer's step holds.
    const expected = renumbered(off.steps.filter((_, i) => i !== 2));
    expected[2].extra!.llm_request = off.steps[2].extra!.llm_request;
    assert.deepEqual(d.steps, expected);
    assert.deepEqual((await stepAt(N, 3)).fixes, ['anthropic-tool-use', N]);
  });

  it('a new request after an error answer, and a retry of an answered call, still write their user steps', () => {
    const error = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const ask = chat(user('q'));
    assert.deepEqual(sources(toAtif([llm(1, 0, 'start', ask), llm(1, 1, 'end', error), llm(2, 2, 'start', chat(user('other'))), llm(2, 3, 'end', answer('a'))])), ['user', 'agent', 'user', 'agent']);
    assert.deepEqual(sources(toAtif([llm(1, 0, 'start', ask), llm(1, 1, 'end', answer('a')), llm(2, 2, 'start', ask), llm(2, 3, 'end', answer('a'))])), ['user', 'agent', 'user', 'agent']);
    // Two errors, then the answer: one user step.
    const twice = [llm(1, 0, 'start', ask), llm(1, 1, 'end', error), llm(2, 2, 'start', ask), llm(2, 3, 'end', error), llm(3, 4, 'start', ask), llm(3, 5, 'end', answer('a'))];
    assert.deepEqual(sources(toAtif(twice)), ['user', 'agent', 'agent', 'agent']);
    assert.deepEqual(sources(toAtif(twice, 'default', [N])), ['user', 'agent', 'user', 'agent', 'user', 'agent']);
  });
});

describe('request-tool-result-content (structured-tool-results, request-tool-results)', () => {
  const N = 'request-tool-result-content';

  it("a hook result that is an object (Claude Code's Bash) has the text the model read as content; an image result stays without", async () => {
    // Without image-parts, which reads the image the model got (fixes-image-parts.test.ts).
    const [off, d] = [await convert(N, '--no-fix', N, '--no-fix', 'image-parts'), await convert(N, '--no-fix', 'image-parts')];
    const results = d.steps[1].observation?.results ?? [];
    assert.deepEqual(off.steps[1].observation?.results.map((r) => r.content), [undefined, undefined]);
    assert.deepEqual(results.map((r) => [r.source_call_id, r.content, r.extra?.content_source]), [['toolu_ls', 'a.txt\nshot.png', 'llm_request'], ['toolu_png', undefined, undefined]]);
    // The tool's own value is kept where it was.
    assert.deepEqual(results[0].extra?.tool_result, { stdout: 'a.txt\nshot.png', stderr: '', interrupted: false, isImage: false });
    assert.deepEqual(results[1], off.steps[1].observation?.results[1]);
    assert.deepEqual(without(d.steps, 'observation'), without(off.steps, 'observation'));
    assert.deepEqual((await stepAt(N, 2, '--no-fix', 'image-parts')).fixes, ['anthropic-tool-use', N]);
  });

  it('never replaces a result with content, and fills nothing that the request does not answer', () => {
    const calls = { type: 'message', role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }, { type: 'tool_use', id: 't2', name: 'g', input: {} }] };
    const next = chat(user('q'), { role: 'assistant', content: calls.content }, user([{ type: 'tool_result', tool_use_id: 't1', content: 'as sent' }]));
    const tool = (n: number, ms: number, phase: 'start' | 'end', id: string, data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'f', data, category_profile: { tool_call_id: id } });
    const run = (t1: Json) => toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', calls), tool(8, 2, 'start', 't1', {}), tool(8, 3, 'end', 't1', t1), tool(9, 4, 'start', 't2', {}), tool(9, 5, 'end', 't2', { n: 1 }), llm(2, 6, 'start', next)]);
    const contents = (t: ReturnType<typeof toAtif>) => t.steps.find((s) => s.tool_calls)?.observation?.results.map((r) => r.content);
    assert.deepEqual(contents(run('from the hook')), ['from the hook', undefined]);
    assert.deepEqual(contents(run({ out: 'x' })), ['as sent', undefined]);
  });
});

describe('responses-tool-output-items (request-tool-results, request-tool-result-content)', () => {
  const N = 'responses-tool-output-items';

  it("a function_call_output of content items is its text; an image among them stays in extra.tool_result", async () => {
    // Without image-parts, which makes text and image items parts (fixes-image-parts.test.ts).
    const [off, d] = [await convert(N, '--no-fix', N, '--no-fix', 'image-parts'), await convert(N, '--no-fix', 'image-parts')];
    // Without the fix the items' JSON was the content, base64 image data and all.
    assert.match(off.steps[1].observation?.results[0].content as string, /^\[\{"text":"shot.png \(640x480\):","type":"input_text"\},\{"detail":"auto","image_url":"data:image/);
    const results = d.steps[1].observation?.results ?? [];
    assert.deepEqual(results.map((r) => [r.source_call_id, r.content]), [['call_img', 'shot.png (640x480):'], ['call_log', 'started\nlistening on :8080']]);
    assert.deepEqual((results[0].extra?.tool_result as Array<{ type: string }>).map((i) => i.type), ['input_text', 'input_image']);
    assert.equal(results[1].extra?.tool_result, undefined, 'text items alone: the text is all they say');
    assert.deepEqual(without(d.steps, 'observation'), without(off.steps, 'observation'));
    assert.deepEqual((await stepAt(N, 2, '--no-fix', 'image-parts')).fixes, ['responses-function-calls', 'request-tool-results', N]);
  });

  it('reads only arrays of documented content items; an image alone is no content', () => {
    assert.deepEqual(responsesOutputItems([{ type: 'input_image', image_url: 'https://x/a.png' }]), { onlyText: false });
    assert.deepEqual(responsesOutputItems([{ type: 'input_file', file_id: 'f1' }, { type: 'input_text', text: 'a' }]), { text: 'a', onlyText: false });
    for (const other of ['text', [], [{ type: 'text', text: 'a' }], [{ type: 'input_text', text: 'a' }, 'b'], { type: 'input_text', text: 'a' }] as Json[]) assert.equal(responsesOutputItems(other), undefined);
  });

  it("a tool event's result without content takes the items' text (request-tool-result-content)", () => {
    const calls = { output: [{ type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'view_image', arguments: '{}' }] };
    const next: Json = { input: [{ type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'a.png' }, { type: 'input_image', image_url: 'data:image/png;base64,AA==' }] }] };
    const tool = (phase: 'start' | 'end', ms: number, data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(9), parent_uuid: P, timestamp: at(ms), name: 'view_image', data, category_profile: { tool_call_id: 'c1' } });
    const events = [llm(1, 0, 'start', { input: 'q' }), llm(1, 1, 'end', calls), tool('start', 2, {}), tool('end', 3, { image: 'a.png' }), llm(2, 4, 'start', next)];
    const result = (disable: FixName[]) => toAtif(events, 'default', ['image-parts', ...disable]).steps.find((s) => s.tool_calls)?.observation?.results[0];
    assert.deepEqual([result([])?.content, result([])?.extra?.tool_result], ['a.png', { image: 'a.png' }]);
    assert.equal(result([N])?.content, undefined);
  });
});

describe('request-tool-results (atif-conversion.md §3.11–3.12)', () => {
  const N = 'request-tool-results';

  it("a call no tool event answered takes its result from the next request; the hook's result stays", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(s0.steps[1].observation?.results.map((r) => [r.source_call_id, r.content]), [['call_a', 'alpha']]);
    const results = d.steps[1].observation?.results ?? [];
    assert.deepEqual(results.map((r) => [r.source_call_id, r.content]), [['call_a', 'alpha'], ['call_b', 'a.txt\nb.txt']]);
    assert.deepEqual(results[1].extra, { event_uuid: '01970000-0000-7000-8000-0000000000c2', source: 'llm_request' });
    assert.deepEqual(without(d.steps, 'observation'), without(s0.steps, 'observation'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
    assert.equal((await stepAt(N, 4)).fixes, undefined);
  });

  it("reads each provider's shape; a later result for one id wins", () => {
    const read = (body: Json) => [...requestToolResults(body)].map(([id, r]) => [id, r.output, r.isError ?? false]);
    const chat: Json = { messages: [{ role: 'tool', tool_call_id: 'c1', content: 'old' }, { role: 'assistant', content: 'x' }, { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'new' }] }] };
    assert.deepEqual(read(chat), [['c1', [{ type: 'text', text: 'new' }], false]]);
    const anthropic: Json = { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true }, { type: 'tool_result', tool_use_id: 't2' }, { type: 'text', text: 'go on' }] }] };
    assert.deepEqual(read(anthropic), [['t1', 'boom', true], ['t2', '', false]]);
    const responses: Json = { input: [{ type: 'function_call_output', call_id: 'f1', output: '{"ok":true}' }, { type: 'custom_tool_call_output', call_id: 'p1', output: 'Done!' }, { type: 'message', role: 'user', content: 'hi' }] };
    assert.deepEqual(read(responses), [['f1', '{"ok":true}', false], ['p1', 'Done!', false]]);
    // OpenAI documents local_shell_call_output with the call's id as `id` (no call_id); a function
    // call output's `id` is its own item id and names no call.
    const shell: Json = { input: [{ type: 'local_shell_call_output', id: 'call_ls', output: 'a.txt' }, { type: 'local_shell_call_output', id: 'x', call_id: 'call_2', output: 'b' }, { type: 'function_call_output', id: 'fco_1', output: 'orphan' }] };
    assert.deepEqual(read(shell), [['call_ls', 'a.txt', false], ['call_2', 'b', false]]);
    assert.deepEqual(read({ messages: [{ role: 'tool', content: 'no id' }] }), []);
  });

  it('a projected step (its calls answered again, observed, by the next step) is still removed: request results do not keep it', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const calls = { choices: [{ message: { role: 'assistant', content: '', tool_calls: [call] } }] };
    const withResult: Json = { messages: [user('q'), { role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', tool_call_id: 'c1', content: 'r' }] };
    const f = (phase: 'start' | 'end', ms: number, data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(9), parent_uuid: P, timestamp: at(ms), name: 'f', data, category_profile: { tool_call_id: 'c1' } });
    const events = [llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', calls), llm(2, 2, 'start', withResult), llm(2, 3, 'end', calls), f('start', 4, {}), f('end', 5, 'r')];
    const agents = (t: ReturnType<typeof toAtif>) => t.steps.filter((s) => s.source === 'agent').map((s) => s.observation?.results.map((r) => r.content));
    assert.deepEqual(agents(toAtif(events)), [['r']]);
    assert.deepEqual(agents(toAtif(events, 'default', [N])), [['r']]);
  });

  it('fills only calls without a result, from the request that follows, and marks errors', () => {
    const ask = { messages: [user('q')] };
    const calls = { choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] } }] };
    const next = { messages: [user('q'), { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'denied', is_error: true }] }] };
    const t = toAtif([llm(1, 0, 'start', ask), llm(1, 1, 'end', calls), llm(2, 2, 'start', next), llm(2, 3, 'end', answer('ok'))]);
    const agent = t.steps.find((s) => s.tool_calls)!;
    assert.deepEqual(agent.observation?.results.map((r) => [r.source_call_id, r.content, r.extra?.is_error]), [['c1', 'denied', true]]);
    assert.equal(toAtif([llm(1, 0, 'start', ask), llm(1, 1, 'end', calls), llm(2, 2, 'start', next)], 'default', [N]).steps.find((s) => s.tool_calls)?.observation, undefined);
  });
});

describe('responses-refusal-message (atif-conversion.md §3.7 rule 5)', () => {
  const N = 'responses-refusal-message';

  it("a refused Responses answer's message is its refusal; every other step is as without the fix", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.match(s0.steps[1].message as string, /^\{"id":"resp_1",/, 'the seed writes the whole response as the message');
    assert.equal(d.steps[1].message, "I'm sorry, I can't help with that.");
    assert.deepEqual(without(d.steps, 'message'), without(s0.steps, 'message'));
    assert.equal(d.steps[3].message, s0.steps[3].message, 'an answer of output text is read as before');
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
    assert.equal((await stepAt(N, 4)).fixes, undefined);
  });

  it('reads refusal parts only where the output has no output text, in output order; blank refusals are none', () => {
    const rules = { responsesRefusal: true };
    const message = (...content: Json[]) => ({ type: 'message', role: 'assistant', content });
    const refusal = (text: string) => ({ type: 'refusal', refusal: text });
    const text = (t: string) => ({ type: 'output_text', text: t });
    const read = (output: Json[], r: ProviderRules = rules) => extractResponseMessage({ object: 'response', output }, r);
    assert.deepEqual(read([message(refusal('No.')), message(refusal('Not that.'))]), { value: 'No.\nNot that.', branch: 'RESP_RESPONSES_REFUSAL' });
    assert.equal(read([message(refusal('No.'))], {}).branch, 'RESP_WHOLE_BODY', 'not at the seed');
    assert.deepEqual(read([message(text('Yes.'), refusal('No.'))]), { value: 'Yes.', branch: 'RESP_RESPONSES_OUTPUT' });
    assert.equal(read([message(refusal(''))]).branch, 'RESP_WHOLE_BODY');
    assert.equal(read([{ type: 'refusal', refusal: 'No.' }]).branch, 'RESP_WHOLE_BODY', 'a part is read inside a message item only');
  });
});

describe('anthropic-refusal-message (atif-conversion.md §3.7)', () => {
  const N = 'anthropic-refusal-message';

  it("a refusal with empty content has its explanation, else \"\", as its message; nothing else changes", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual([s0.steps[1].message, s0.steps[3].message], [[], []], 'relay-0.3: the empty content array');
    assert.deepEqual([d.steps[1].message, d.steps[3].message], ['This request was declined because it could enable cyber harm.', '']);
    assert.deepEqual(without(d.steps, 'message'), without(s0.steps, 'message'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
  });

  it('only a refusal without text or call; a refusal after some text keeps the text', () => {
    const rules = { anthropicRefusal: true, anthropicMessages: true };
    const read = (content: Json, stop = 'refusal') => extractResponseMessage({ type: 'message', role: 'assistant', content, stop_reason: stop }, rules);
    assert.deepEqual(read([]), { value: '', branch: 'RESP_ANTHROPIC_REFUSAL' });
    assert.deepEqual(read([{ type: 'text', text: '' }]), { value: '', branch: 'RESP_ANTHROPIC_REFUSAL' }, 'a streamed block opened before the refusal');
    assert.deepEqual(read([{ type: 'text', text: 'Hello..' }]), { value: 'Hello..', branch: 'RESP_ANTHROPIC_TEXT_BLOCKS' });
    assert.equal(read([{ type: 'tool_use', id: 't1', name: 'f', input: {} }]).branch, 'RESP_ANTHROPIC_TEXT_BLOCKS');
    assert.deepEqual(read([], 'end_turn'), { value: [], branch: 'RESP_CONTENT' }, 'an empty answer that is no refusal');
    assert.equal(extractResponseMessage({ type: 'message', content: [], stop_reason: 'refusal' }, {}).branch, 'RESP_CONTENT', 'relay-0.3');
  });
});

describe('responses-reasoning-only (atif-conversion.md §3.7)', () => {
  const N = 'responses-reasoning-only';

  it('an answer cut at max_output_tokens with only its reasoning has no message; every other field is as without the fix', async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.match(off.steps[1].message as string, /^\{"id":"resp_1","incomplete_details":/, 'without the fix the whole response is the message');
    assert.equal(d.steps[1].message, '');
    assert.equal(d.steps[1].reasoning_content, 'Reading the compiler output.');
    assert.deepEqual(without(d.steps, 'message'), without(off.steps, 'message'));
    assert.equal(d.steps[3].message, off.steps[3].message, 'reasoning beside a message: the message as before');
    assert.deepEqual((await stepAt(N, 2)).fixes, [N, 'provider-reasoning']);
    const r = await runCli(['convert', fixture(N), '--session-id', 's', '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('only an output of reasoning items alone; calls, text and an empty output are read as before', () => {
    const rules = { responsesReasoningOnly: true, responsesFunctionCalls: true };
    const reasoning = { type: 'reasoning', id: 'rs_1', summary: [] };
    const read = (...output: Json[]) => extractResponseMessage({ object: 'response', status: 'incomplete', output }, rules);
    assert.deepEqual(read(reasoning, { ...reasoning, id: 'rs_2' }), { value: '', branch: 'RESP_RESPONSES_REASONING_ONLY' });
    assert.equal(read(reasoning, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }).branch, 'RESP_RESPONSES_FUNCTION_CALLS_ONLY');
    assert.deepEqual(read(reasoning, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] }), { value: 'hi', branch: 'RESP_RESPONSES_OUTPUT' });
    assert.equal(read().branch, 'RESP_WHOLE_BODY');
    assert.equal(read(reasoning, { type: 'web_search_call', id: 'ws_1' }).branch, 'RESP_WHOLE_BODY');
    assert.equal(extractResponseMessage({ output: [reasoning] }, {}).branch, 'RESP_WHOLE_BODY', 'relay-0.3');
  });
});

describe('empty-answer-message (atif-conversion.md §3.7, relay-cli.md §2.8)', () => {
  const N = 'empty-answer-message';

  it('an answer not read ({}, {"body_bytes": n}, a Responses stream cut before its first item) has the message ""; every other field is as without the fix', async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.deepEqual([1, 3, 5].map((i) => off.steps[i].message), ['{}', '{"body_bytes":162}', '{"id":"resp_3","model":"gpt-5-codex","object":"response","output":[],"status":"in_progress"}'], 'relay-0.3 writes the stand-ins as the answers');
    assert.deepEqual([1, 3, 5].map((i) => d.steps[i].message), ['', '', '']);
    assert.deepEqual(d.steps[3].extra?.llm_response, { body_bytes: 162 }, 'the stand-in stays in extra.llm_response');
    assert.equal(d.steps[7].message, 'add() no longer adds 1.', 'an answer read as before');
    assert.deepEqual(without(d.steps, 'message'), without(off.steps, 'message'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
    assert.equal((await stepAt(N, 8)).fixes, undefined);
  });

  it('only answers that hold nothing: a failed response, an output with items and other bodies are read as before', () => {
    const rules = { emptyAnswer: true, responsesReasoningOnly: true, responsesFunctionCalls: true };
    const read = (data: Json, r: ProviderRules = rules) => extractResponseMessage(data, r);
    assert.deepEqual(read({}), { value: '', branch: 'RESP_EMPTY_ANSWER' });
    assert.deepEqual(read({ body_bytes: 0 }), { value: '', branch: 'RESP_EMPTY_ANSWER' });
    assert.deepEqual(read({ object: 'response', status: 'incomplete', output: [] }), { value: '', branch: 'RESP_EMPTY_ANSWER' });
    assert.deepEqual(read({ object: 'response', status: 'completed', output: [], error: null }), { value: '', branch: 'RESP_EMPTY_ANSWER' }, 'a successful Responses object has "error": null');
    // A failed response's error is what it says (retry-after-error-answer reads it as a failed attempt).
    assert.equal(read({ object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: 'x' } }).branch, 'RESP_WHOLE_BODY');
    assert.equal(read({ body_bytes: 162, status: 502 }).branch, 'RESP_WHOLE_BODY', 'body_bytes beside anything else is no stand-in');
    assert.equal(read({ body_bytes: 'many' }).branch, 'RESP_WHOLE_BODY');
    assert.equal(read({ output: [{ type: 'web_search_call', id: 'ws_1' }] }).branch, 'RESP_WHOLE_BODY', 'an output with an item is read as before');
    assert.equal(read({ id: 'x' }).branch, 'RESP_WHOLE_BODY');
    assert.equal(read([]).branch, 'RESP_WHOLE_BODY', 'not an object');
    assert.equal(read({}, {}).branch, 'RESP_WHOLE_BODY', 'relay-0.3');
  });
});

describe('responses-cached-tokens (#222)', () => {
  const N = 'responses-cached-tokens';

  it("a Responses usage's input_tokens_details.cached_tokens is the step's cached_tokens; everything else is as without the fix", async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    // usage {input_tokens 2048, input_tokens_details {cached_tokens 1536}, output_tokens 12, …}
    assert.equal(off.steps[1].metrics?.cached_tokens, undefined, 'relay-0.3 reads no cached count from Responses usage');
    assert.deepEqual([d.steps[1].metrics?.prompt_tokens, d.steps[1].metrics?.cached_tokens], [2048, 1536]);
    assert.deepEqual(d.steps[1].metrics?.extra?.input_tokens_details, { cached_tokens: 1536 }, 'the details stay in extra, as before');
    assert.deepEqual(without(d.steps, 'metrics'), without(off.steps, 'metrics'));
    assert.deepEqual(d.final_metrics, { ...off.final_metrics, total_cached_tokens: 1536 });
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
    assert.ok(!(await runJson<{ fixes?: string[] }>(['explain', fixture(N), '--session-id', 's', '--step', '2', '--no-fix', N])).fixes?.includes(N));
  });

  it('comes after the cached counts relay-0.3 reads, and is named only where it changes the count', () => {
    const rules = { responsesCachedTokens: true };
    const cached = (usage: Json, r: ProviderRules = rules) => extractMetrics({ usage }, r)?.cached_tokens;
    const responses = { input_tokens: 50, output_tokens: 2, input_tokens_details: { cached_tokens: 30 } };
    assert.equal(cached(responses), 30);
    assert.equal(cached({ ...responses, cached_tokens: 7 }), 7, 'an explicit cached_tokens first');
    assert.equal(cached({ ...responses, prompt_tokens_details: { cached_tokens: 9 } }), 9, 'then the chat details');
    assert.equal(cached({ ...responses, input_tokens_details: { cached_tokens: 0 } }), 0, 'a count of 0 is a count');
    assert.equal(cached({ input_tokens: 50, input_tokens_details: { cached_tokens: 'many' } }), undefined, 'not a count');
    assert.equal(cached({ input_tokens: 50, input_tokens_details: {} }), undefined);
    assert.equal(cached(responses, {}), undefined, 'not at the seed');
    // Together with anthropic-token-accounting: a Responses usage is no Anthropic usage.
    assert.equal(extractMetrics({ usage: { ...responses, cache_read_input_tokens: 4 } }, { ...rules, anthropicTokenAccounting: true })?.cached_tokens, 30);
    assert.equal(responsesCachedTokensApply({ usage: responses }), true);
    assert.equal(responsesCachedTokensApply({ usage: { ...responses, cached_tokens: 7 } }), false);
    assert.equal(responsesCachedTokensApply({ usage: { input_tokens: 50, output_tokens: 2 } }), false);
  });
});

describe('provider-reported-cost (#206, #796)', () => {
  const N = 'provider-reported-cost';

  it("OpenRouter's number cost and a cost object's USD parts are the steps' cost_usd; a cost in euros is none", async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    const costs = (t: typeof d) => t.steps.filter((s) => s.source === 'agent').map((s) => s.metrics?.cost_usd);
    // usage cost 0.00095 (OpenRouter), cost {total 0.0011, currency EUR}, cost {input 0.25, output 0.5} without token counts
    assert.deepEqual(costs(s0), [undefined, undefined, undefined], 'relay-0.3 reads only usage.cost_usd');
    assert.deepEqual(costs(d), [0.00095, undefined, 0.75]);
    assert.equal(s0.steps[5].metrics, undefined, 'relay-0.3 writes no metrics without a token count');
    assert.deepEqual(d.steps[5].metrics, { cost_usd: 0.75, extra: { cost: { input: 0.25, output: 0.5 } } }, 'the cost as sent stays in extra');
    assert.deepEqual(without(d.steps, 'metrics'), without(s0.steps, 'metrics'));
    assert.deepEqual(without(d.steps.slice(0, 5), 'metrics'), without(off.steps.slice(0, 5), 'metrics'));
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_cost_usd: 0.75095 });
    assert.deepEqual(off.final_metrics, s0.final_metrics);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
    assert.ok((await stepAt(N, 6)).fixes?.includes(N));
    assert.ok(!(await stepAt(N, 4)).fixes?.includes(N), 'not named where it changed nothing');
  });

  it('comes after cost_usd, reads a cost object in USD only, and is named only where it gives a cost', () => {
    const rules = { providerReportedCost: true };
    const cost = (usage: Json, r: ProviderRules = rules) => extractMetrics({ usage }, r)?.cost_usd;
    const tokens = { prompt_tokens: 10, completion_tokens: 5 };
    assert.equal(cost({ ...tokens, cost: 0 }), 0, "a free model's cost of 0 is a cost");
    assert.equal(cost({ ...tokens, cost_usd: 0.0456, cost: 0.0123 }), 0.0456, 'cost_usd first');
    assert.equal(cost({ ...tokens, cost: { total: 0.0123, input: 0.004, output: 0.0083 } }), 0.0123, 'a total before its parts');
    assert.equal(cost({ ...tokens, cost: { input: 1, output: 2, cache_read: 0.5, cache_write: 0.25 } }), 3.75);
    assert.equal(cost({ ...tokens, cost: { total: 2, currency: 'usd' } }), 2, 'the currency in any case');
    assert.equal(cost({ ...tokens, cost: { total: 2, currency: 'EUR' } }), undefined);
    assert.equal(cost({ ...tokens, cost: { total: 2, currency: null } }), undefined, 'a currency that is no name is not USD');
    assert.equal(cost({ ...tokens, cost: { tier: 'free' } }), undefined);
    assert.equal(cost({ ...tokens, cost: '0.01' }), undefined, 'not a number');
    assert.equal(cost({ ...tokens, cost: 0.01 }, {}), undefined, 'not at the seed');
    assert.equal(extractMetrics({ usage: { cost: 0.01 } }), undefined, 'relay-0.3: no token count, no metrics');
    assert.equal(extractMetrics({ usage: { cost: { currency: 'EUR', total: 1 } } }, rules), undefined, 'no cost read, no metrics');
    assert.equal(providerReportedCostApplies({ usage: { ...tokens, cost: 0.01 } }), true);
    assert.equal(providerReportedCostApplies({ usage: { ...tokens, cost_usd: 0.02, cost: 0.01 } }), false);
    assert.equal(providerReportedCostApplies({ usage: tokens }), false);
  });
});

/** Each step as `source: message`, for the NeMo-Relay 0.8 fixes below. */
const messages = (t: { steps: Step[] }) => t.steps.map((s) => `${s.source}: ${String(s.message)}`);

/** What a fix noted on a step's metrics at `extra.nemo_relay[key]`. */
const relayNote = (s: Step, key: string) => (s.metrics?.extra?.nemo_relay as Record<string, Record<string, Json> | undefined> | undefined)?.[key];

describe('annotated-response-cost (NeMo-Relay 0.8 model pricing)', () => {
  const N = 'annotated-response-cost';

  it("a 0.8 LLM end's annotated cost is the step's cost_usd when the body reports none; the body's own cost comes first; euros are none", async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    const costs = (t: typeof d) => t.steps.filter((s) => s.source === 'agent').map((s) => s.metrics?.cost_usd);
    // annotated model_pricing estimates: 0.00304 USD (no body cost), 0.00076 USD (body cost_usd 0.0009), 0.0007 EUR
    assert.deepEqual(costs(s0), [undefined, 0.0009, undefined], 'relay-0.3 reads the body\'s usage only');
    assert.deepEqual(costs(d), [0.00304, 0.0009, undefined]);
    const cost = relayNote(d.steps[1], 'cost');
    assert.equal(cost?.source, 'model_pricing', 'the user can tell an estimate from a bill');
    assert.equal(cost?.pricing_as_of, '2026-05-01');
    assert.equal(d.steps[3].metrics?.extra?.nemo_relay, undefined, 'no annotation kept where it gave no cost');
    assert.deepEqual(without(d.steps, 'metrics'), without(s0.steps, 'metrics'));
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_cost_usd: 0.00394 });
    assert.deepEqual(off.final_metrics, s0.final_metrics);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
    assert.ok(!(await stepAt(N, 4)).fixes?.includes(N), 'not named where the body gave the cost');
  });

  it('reads a USD total, a provider-reported cost\'s parts without one, and a cost alone as metrics', () => {
    const profile = (cost: Json) => ({ annotated_response: { usage: { prompt_tokens: 1, cost } } });
    const read = (cost: Json, metrics?: Metrics) => withAnnotatedCost(metrics, profile(cost)).metrics?.cost_usd;
    assert.equal(read({ total: 0.5, source: 'model_pricing' }), 0.5, 'no currency is USD');
    assert.equal(read({ total: 0.5, currency: 'usd', source: 'model_pricing' }), 0.5);
    assert.equal(read({ total: 0.5, currency: 'EUR', source: 'model_pricing' }), undefined);
    assert.equal(read({ input: 0.25, output: 0.5, currency: 'USD', source: 'provider_reported' }), 0.75);
    assert.equal(read({ input: 0.25, output: 0.5, currency: 'USD', source: 'model_pricing' }), undefined, "an estimate's parts are not summed, as at HEAD");
    assert.equal(read({ total: 0.5 }, { prompt_tokens: 3, cost_usd: 0.1 }), 0.1, "the response's cost first");
    assert.equal(read('0.5'), undefined);
    assert.deepEqual(withAnnotatedCost(undefined, profile({ total: 0.5 })), { metrics: { cost_usd: 0.5, extra: { nemo_relay: { cost: { total: 0.5 } } } }, applied: true });
    assert.deepEqual(withAnnotatedCost({ prompt_tokens: 3 }, { annotated_response: { usage: { prompt_tokens: 3 } } }), { metrics: { prompt_tokens: 3 }, applied: false });
  });
});

describe('llm-optimization-summary (NeMo-Relay 0.8 optimization accounting)', () => {
  const N = 'llm-optimization-summary';
  const optimization = (s: Step) => relayNote(s, 'optimization');

  it("a 0.8 LLM end's summary is its step's metrics.extra.nemo_relay.optimization and final_metrics totals it; its contribution mark writes no step", async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    // call 1: a compressed prompt (400 tokens, 0.0008 USD saved); call 2: routed to gpt-4.1-mini
    // (0.001568 USD saved); call 3: a contribution mark, its end without a summary.
    assert.deepEqual(messages(s0), ['user: Summarise the README.', 'system: nemo_relay.llm.optimization', 'agent: It documents the CLI.', 'user: Is it current?', 'system: nemo_relay.llm.optimization', 'agent: Yes.', "user: Thanks!", 'system: nemo_relay.llm.optimization', "agent: You're welcome."]);
    assert.deepEqual(messages(d), ['user: Summarise the README.', 'agent: It documents the CLI.', 'user: Is it current?', 'agent: Yes.', "user: Thanks!", 'system: nemo_relay.llm.optimization', "agent: You're welcome."]);
    assert.deepEqual(s0.steps.map(optimization), s0.steps.map(() => undefined), 'relay-0.3 keeps no summary');
    assert.deepEqual(optimization(d.steps[1])?.tokens_saved, { prompt_tokens: 400, total_tokens: 400 });
    assert.deepEqual((optimization(d.steps[3])?.contributions as Json[] | undefined)?.length, 1, 'the contribution the mark carried is in the summary');
    assert.equal(optimization(d.steps[6]), undefined);
    assert.equal(d.steps[1].metrics?.extra?.total_tokens, 1240, 'the usage extra stays beside it');
    assert.deepEqual(d.final_metrics, {
      ...s0.final_metrics,
      total_steps: 7,
      extra: { nemo_relay: { optimization: { estimated_cost_saved_usd: 0.002368, llm_call_count: 2, prompt_tokens_saved: 400, total_tokens_saved: 400 } } },
    });
    assert.deepEqual(off.final_metrics, s0.final_metrics);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
    assert.ok(!(await stepAt(N, 7)).fixes?.includes(N), 'not named where no summary was');
  });

  it('keeps the metrics it is given, makes metrics of a summary alone, and totals USD savings only', () => {
    const profile = (summary: Json) => ({ annotated_response: { optimization_summary: summary } });
    const summary = { tokens_saved: { prompt_tokens: 10 }, estimated_cost_saved: 0.5, currency: 'EUR' };
    assert.deepEqual(withOptimizationSummary(undefined, profile(summary)), { metrics: { extra: { nemo_relay: { optimization: summary } } }, applied: true });
    assert.deepEqual(withOptimizationSummary({ prompt_tokens: 3, extra: { nemo_relay: { cost: 1 } } }, profile(summary)).metrics, { prompt_tokens: 3, extra: { nemo_relay: { cost: 1, optimization: summary } } });
    assert.equal(withOptimizationSummary({ prompt_tokens: 3 }, profile('x')).applied, false);
    const step = (m: Metrics): Step => ({ step_id: 1, source: 'agent', message: '', metrics: m });
    const with_ = (o: Json) => step(withOptimizationSummary({ prompt_tokens: 1 }, profile(o)).metrics!);
    assert.deepEqual(finalMetrics([with_(summary), with_({ tokens_saved: {}, estimated_cost_saved: 0.25, currency: 'usd' }), step({ prompt_tokens: 1 })], true, true).extra, {
      nemo_relay: { optimization: { estimated_cost_saved_usd: 0.25, llm_call_count: 2, prompt_tokens_saved: 10 } },
    });
    assert.equal(finalMetrics([with_(summary)], true, false).extra, undefined, 'not without the fix');
    assert.equal(isOptimizationContributionMark('nemo_relay.llm.optimization', undefined), true);
    assert.equal(isOptimizationContributionMark('x', { name: 'nemo.relay.llm_optimization_contribution', version: '1' }), true);
    assert.equal(isOptimizationContributionMark('response_cache', undefined), false);
  });
});

describe('response-cache-marks (NeMo-Relay 0.8 response cache)', () => {
  const N = 'response-cache-marks';
  const cache = (s: Step) => relayNote(s, 'response_cache');

  it('a miss and a bypass write no step; a hit is noted on its call\'s agent step and totalled', async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    // call 1 missed (stored), call 2 (the same request) was served from the cache, call 3 bypassed it.
    const q = 'user: What is the capital of France?';
    assert.deepEqual(messages(s0), [q, 'system: response_cache', 'agent: Paris.', q, 'system: response_cache', 'agent: Paris.', 'user: Write a haiku about it.', 'system: response_cache', 'agent: Seine light at dusk']);
    assert.deepEqual(messages(d), [q, 'agent: Paris.', q, 'agent: Paris.', 'user: Write a haiku about it.', 'agent: Seine light at dusk']);
    assert.deepEqual(s0.steps.map(cache), s0.steps.map(() => undefined), 'relay-0.3 keeps none of the mark');
    assert.deepEqual(d.steps.map(cache), [undefined, undefined, undefined, { age_ms: 59000, backend: 'memory', key_hash: '9f2c', saved_cost_usd: 0.000052, saved_tokens: 17, status: 'hit', surface: 'llm', ttl_ms: 3600000 }, undefined, undefined]);
    // The hit's usage is the stored response's, as NeMo-Relay keeps it: the note tells it apart.
    assert.deepEqual({ ...d.steps[3].metrics, extra: { total_tokens: 17 } }, s0.steps[5].metrics);
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_steps: 6, extra: { nemo_relay: { response_cache: { hit_count: 1, saved_cost_usd: 0.000052, saved_tokens: 17 } } } });
    assert.deepEqual(off.final_metrics, s0.final_metrics);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
    assert.deepEqual((await stepAt(N, 4)).fixes, [N]);
    assert.ok(!(await stepAt(N, 2)).fixes?.includes(N), 'not named where no hit was');
  });

  it('a hit not under an answered LLM call (a tool result from the cache) is still a system step', () => {
    const hit = ev({ kind: 'mark', uuid: uuid(9), parent_uuid: uuid(3), timestamp: at(6), name: 'response_cache', data: { status: 'hit' }, metadata: { 'nemo_relay.response_cache.surface': 'tool', 'nemo_relay.response_cache.saved_invocations': 1 } });
    const t = toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 4, 'end', answer('a')), ev({ category: 'tool', scope_category: 'start', uuid: uuid(3), parent_uuid: P, timestamp: at(5), name: 'search', data: {} }), hit, ev({ category: 'tool', scope_category: 'end', uuid: uuid(3), parent_uuid: P, timestamp: at(7), name: 'search', data: 'r' })]);
    assert.ok(t.steps.some((s) => s.source === 'system' && s.message === 'response_cache'));
    assert.equal(t.final_metrics?.extra, undefined);
  });
});

describe('guardrail-rejection-step (a call a NeMo-Relay guardrail stopped)', () => {
  const N = 'guardrail-rejection-step';

  it('a rejection or a failed guardrail is a system step saying so and why; the rejection mark is in it', async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    // An allowed check, an answered call, a call rejected by llm_call_execute (guardrail scope, then
    // the mark named after the call), and a call stopped by a guardrail that failed (scope only).
    assert.deepEqual(messages(s0), ['user: Hello', 'agent: Hi! How can I help?', 'system: openai']);
    assert.deepEqual(messages(d), [
      'user: Hello',
      'agent: Hi! How can I help?',
      'system: Guardrail jailbreak_detector blocked the LLM call: prompt matches a jailbreak pattern',
      'system: Guardrail topic_filter failed, so the LLM call was not made: internal error: classifier endpoint timed out',
    ]);
    assert.deepEqual(d.steps[2].extra?.guardrail, { allowed: false, kind: 'llm_conditional_execution', name: 'jailbreak_detector', rejected: true, rejection_reason: 'prompt matches a jailbreak pattern' });
    assert.equal(d.steps[3].timestamp, '2026-06-01T10:00:05.250+00:00', 'where the guardrail ended');
    assert.deepEqual(off.steps, s0.steps);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
    assert.deepEqual((await stepAt(N, 3)).fixes, [N]);
  });

  it('a stream of a blocked call alone gives a trajectory; a rejection mark without its guardrail stays a step', () => {
    const scope = (ms: number, phase: 'start' | 'end', data: Json) => ev({ category: 'guardrail', scope_category: phase, uuid: uuid(5), parent_uuid: P, timestamp: at(ms), name: 'pii', data });
    const blocked = [scope(0, 'start', { kind: 'llm_conditional_execution' }), scope(2, 'end', { allowed: false, rejected: true, rejection_reason: 'contains an SSN' })];
    assert.deepEqual(toAtif(blocked).steps.map((s) => s.message), ['Guardrail pii blocked the LLM call: contains an SSN']);
    assert.equal(toAtif(blocked, 'relay-0.3').steps.length, 0);
    const mark = ev({ kind: 'mark', uuid: uuid(6), parent_uuid: P, timestamp: at(3), name: 'llm', data: { rejected: true, rejection_reason: 'other' } });
    assert.deepEqual(toAtif([...blocked, mark]).steps.map((s) => s.message), ['Guardrail pii blocked the LLM call: contains an SSN', 'llm']);
    assert.deepEqual(guardrailBlock(scope(2, 'end', { allowed: true, rejected: false }), undefined), undefined);
    assert.equal(guardrailBlock(scope(2, 'end', { allowed: false, rejected: true, rejection_reason: 'no' }), scope(0, 'start', { kind: 'tool_conditional_execution' }))?.message, 'Guardrail pii blocked the tool call: no');
  });
});

describe('relay-telemetry-marks (NeMo-Relay 0.8 metric and log marks)', () => {
  const N = 'relay-telemetry-marks';
  const messages = (t: { steps: Step[] }) => t.steps.map((s) => `${s.source}: ${typeof s.message === 'string' ? s.message : JSON.stringify(s.message)}`);

  it('a metric mark and a log mark write no step; any other mark still does', async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    // A log mark (severity warn, then info) at each LLM start + 1 µs, a tool.calls counter after the
    // tool, and a user's own checkpoint mark.
    assert.deepEqual(messages(s0), ['user: Read notes.txt', 'system: pii_redactor.redacted', 'agent: ', 'system: tool.calls', 'system: checkpoint', 'user: What does it say?', 'system: pii_redactor.redacted', 'agent: Buy milk.']);
    assert.deepEqual(messages(d), ['user: Read notes.txt', 'agent: ', 'system: checkpoint', 'user: What does it say?', 'agent: Buy milk.']);
    assert.deepEqual(off.steps.length, s0.steps.length);
    // The tool's result still reaches the call that asked for it (the dropped marks flush nothing).
    assert.deepEqual(d.steps[1].observation?.results.map((r) => r.content), ['buy milk']);
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_steps: 5 });
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
  });

  it('knows a metric mark by its data schema and a log mark by its severity metadata', () => {
    const mark = (raw: Record<string, Json>) => ({ kind: 'mark', uuid: 'u', ts: 0n, name: 'm', seq: 0, raw, metadata: raw.metadata ?? undefined }) as unknown as AtofEvent;
    assert.equal(isRelayTelemetryMark(mark({ data_schema: { name: 'nemo.relay.metric_measurements', version: '1' } })), true);
    assert.equal(isRelayTelemetryMark(mark({ metadata: { 'nemo_relay.log.severity': 'error' } })), true);
    assert.equal(isRelayTelemetryMark(mark({ metadata: { 'nemo_relay.log.severity': 3 } })), false, 'not a severity 0.8 writes');
    assert.equal(isRelayTelemetryMark(mark({ data_schema: { name: 'nemo.relay.llm_optimization_contribution', version: '1' }, metadata: null })), false);
  });
});

describe('final-metrics-per-field (#206)', () => {
  const N = 'final-metrics-per-field';

  it("a free model's reported cost of 0 and cached count of 0 are totals too", async () => {
    const [off, s0, d] = [await convert(N, '--no-fix', N), await seed(N), await byDefault(N)];
    // one call: usage {prompt_tokens 10, completion_tokens 2, prompt_tokens_details {cached_tokens 0}, cost_usd 0}
    assert.deepEqual(s0.final_metrics, { total_completion_tokens: 2, total_prompt_tokens: 10, total_steps: 2 }, 'relay-0.3 writes cached and cost only when positive');
    assert.deepEqual(d.final_metrics, { total_cached_tokens: 0, total_completion_tokens: 2, total_cost_usd: 0, total_prompt_tokens: 10, total_steps: 2 });
    assert.deepEqual(off.final_metrics, s0.final_metrics);
    assert.deepEqual(d.steps, s0.steps, 'the steps are as without the fix');
  });

  it('writes a total for each field some step has, and makes none up', () => {
    const step = (metrics?: Step['metrics']): Step => ({ step_id: 1, source: 'agent', message: '', ...(metrics ? { metrics } : {}) });
    const costOnly = [step({ cost_usd: 0.5 }), step()];
    assert.deepEqual(finalMetrics(costOnly), { total_steps: 2, total_prompt_tokens: 0, total_completion_tokens: 0, total_cost_usd: 0.5 }, 'relay-0.3 makes up token totals of 0');
    assert.deepEqual(finalMetrics(costOnly, true), { total_steps: 2, total_cost_usd: 0.5 });
    const mixed = [step({ prompt_tokens: 7 }), step({ completion_tokens: 3, cached_tokens: 0 }), step({ prompt_tokens: 5, cost_usd: 0 })];
    assert.deepEqual(finalMetrics(mixed, true), { total_steps: 3, total_cached_tokens: 0, total_completion_tokens: 3, total_cost_usd: 0, total_prompt_tokens: 12 });
    assert.deepEqual(finalMetrics([step(), step()], true), { total_steps: 2 }, 'no metrics, no totals');
    const big = new JsonNumber('9007199254740993');
    assert.equal((finalMetrics([step({ prompt_tokens: big }), step({ prompt_tokens: 1 })], true).total_prompt_tokens as JsonNumber).text, '9007199254740994', 'exact past 2^53');
  });
});

describe('provider-reasoning (ATIF reasoning_content)', () => {
  const N = 'provider-reasoning';

  it("a chat message's reasoning_content and a Responses answer's reasoning summaries are the steps' reasoning_content", async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    const agents = (t: typeof d) => t.steps.filter((s) => s.source === 'agent');
    assert.deepEqual(agents(s0).map((s) => s.reasoning_content), [undefined, undefined], 'relay-0.3 reads only a top-level reasoning text');
    assert.deepEqual(agents(d).map((s) => s.reasoning_content), ['91 is odd; 91 / 7 = 13, so it has the factors 7 and 13.', '**Checking divisors**\nNo prime up to 9 divides 97.']);
    assert.deepEqual(without(d.steps, 'reasoning_content'), without(s0.steps, 'reasoning_content'));
    assert.deepEqual((await stepAt(N, 2)).fixes, [N]);
    assert.deepEqual((await stepAt(N, 4)).fixes, [N]);
  });

  it('reads each provider shape, a top-level reasoning text first; blank or encrypted reasoning is none', () => {
    const rules = { providerReasoning: true };
    const thinking = (...blocks: Json[]) => ({ type: 'message', role: 'assistant', content: blocks });
    assert.equal(responseReasoning(thinking({ type: 'thinking', thinking: 'a', signature: 's' }, { type: 'text', text: 'x' }, { type: 'thinking', thinking: 'b' }), rules), 'a\nb');
    assert.equal(responseReasoning(thinking({ type: 'redacted_thinking', data: 'opaque' }, { type: 'thinking', thinking: '  ' }), rules), undefined);
    assert.equal(responseReasoning({ content: [{ type: 'thinking', thinking: 'a' }] }, rules), undefined, 'not an Anthropic message');
    const chat = (message: Json) => ({ choices: [{ index: 0, message }] });
    assert.equal(responseReasoning(chat({ content: 'x', reasoning: 'via a router' }), rules), 'via a router');
    assert.equal(responseReasoning(chat({ content: 'x', reasoning_content: '', reasoning: 'r' }), rules), 'r', 'an empty reasoning_content is none');
    const responses = (item: Json) => ({ output: [item, { type: 'message', content: [{ type: 'output_text', text: 'x' }] }] });
    assert.equal(responseReasoning(responses({ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw chain' }] }), rules), 'raw chain');
    assert.equal(responseReasoning(responses({ type: 'reasoning', summary: [], encrypted_content: 'gAAA' }), rules), undefined);
    assert.equal(responseReasoning({ reasoning: 'top', ...chat({ reasoning_content: 'inner' }) }, rules), 'top', 'relay-0.3 first');
    assert.equal(responseReasoning(chat({ reasoning_content: 'inner' })), undefined, 'not at the seed');
  });
});

describe('anthropic-server-tools (atif-conversion.md §3.8)', () => {
  const N = 'anthropic-server-tools';

  it("a web search Anthropic ran is the step's tool call, with its results as the observation; everything else is as without the fix", async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.equal(off.steps[1].tool_calls, undefined);
    assert.deepEqual(d.steps[1].tool_calls, [{ tool_call_id: 'srvtoolu_1', function_name: 'web_search', arguments: { query: 'Rust LazyLock stabilized version' }, extra: { type: 'server_tool_use' } }]);
    assert.deepEqual(d.steps[1].observation?.results, [
      {
        source_call_id: 'srvtoolu_1',
        content: 'Announcing Rust 1.80.0\nhttps://blog.rust-lang.org/2024/07/25/Rust-1.80.0.html\n\nLazyLock in std::sync\nhttps://doc.rust-lang.org/std/sync/struct.LazyLock.html',
        extra: { source: 'llm_response', type: 'web_search_tool_result' },
      },
    ]);
    assert.deepEqual(without(d.steps, 'tool_calls', 'observation'), without(off.steps, 'tool_calls', 'observation'));
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
  });

  it('reads MCP connector calls, error results and a call with no text around it', () => {
    const rules = { anthropicMessages: true, anthropicServerTools: true };
    const message = (...content: Json[]) => ({ type: 'message', role: 'assistant', content });
    const mcp = message({ type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'get_issue', server_name: 'tracker', input: { id: 42 } }, { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_1', is_error: false, content: [{ type: 'text', text: 'Crash on start' }] });
    assert.deepEqual(extractToolCalls(mcp, rules), [{ tool_call_id: 'mcptoolu_1', function_name: 'get_issue', arguments: { id: 42 }, extra: { server_name: 'tracker', type: 'mcp_tool_use' } }]);
    assert.deepEqual(anthropicServerToolResults(mcp), [{ callId: 'mcptoolu_1', type: 'mcp_tool_result', content: [{ type: 'text', text: 'Crash on start' }], isError: false }]);
    assert.deepEqual(extractResponseMessage(mcp, rules), { value: '', branch: 'RESP_ANTHROPIC_TEXT_BLOCKS' });
    assert.equal(extractToolCalls(mcp, { anthropicMessages: true }), undefined, 'tool_use blocks only without the fix');
    const failed = message({ type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'q' } }, { type: 'web_search_tool_result', tool_use_id: 's1', content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' } });
    assert.deepEqual(anthropicServerToolResults(failed), [{ callId: 's1', type: 'web_search_tool_result', content: 'error: max_uses_exceeded', isError: true }]);
    const t = toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', failed)]);
    assert.deepEqual(t.steps[1].observation?.results.map((r) => [r.content, r.extra?.is_error]), [['error: max_uses_exceeded', true]]);
  });
});

describe('anthropic-citation-text (the #203 message rule)', () => {
  const N = 'anthropic-citation-text';

  it('an answer split at its citations is one sentence; everything else is as without the fix', async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.equal(off.steps[1].message, 'According to the document, \nthe grass is green\n and \nthe sky is blue\n.');
    assert.equal(d.steps[1].message, 'According to the document, the grass is green and the sky is blue.');
    assert.deepEqual(without(d.steps, 'message'), without(off.steps, 'message'));
    assert.deepEqual((await stepAt(N, 2)).fixes, ['anthropic-tool-use', N]);
  });

  it('joins only neighbours of a cited block: a tool call between texts, or uncited neighbours, keep their line break', () => {
    const rules = { anthropicMessages: true, anthropicServerTools: true, anthropicCitationText: true };
    const cited = (text: string) => ({ type: 'text', text, citations: [{ type: 'web_search_result_location', url: 'https://example.com', cited_text: 'x' }] });
    const message = (...content: Json[]) => ({ type: 'message', role: 'assistant', content });
    const search = message(
      { type: 'text', text: "I'll search." },
      { type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'q' } },
      { type: 'web_search_tool_result', tool_use_id: 's1', content: [] },
      { type: 'text', text: 'It was ' },
      cited('Rust 1.80'),
      { type: 'text', text: ' ' },
      cited('in July 2024'),
      { type: 'text', text: '.' },
    );
    assert.equal(extractResponseMessage(search, rules).value, "I'll search.\nIt was Rust 1.80 in July 2024.");
    assert.equal(extractResponseMessage(message({ type: 'text', text: 'a' }, { type: 'text', text: 'b' }), rules).value, 'a\nb');
    // An empty citations list (a streamed block starts with one) cites nothing.
    assert.equal(extractResponseMessage(message({ type: 'text', text: 'a' }, { type: 'text', text: 'b', citations: [] }), rules).value, 'a\nb');
  });
});

describe('anthropic-token-accounting (ATIF §5.5)', () => {
  const N = 'anthropic-token-accounting';

  it('prompt_tokens counts the cached input, cached_tokens the cache reads alone; everything else is as without the fix', async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    // usage {input_tokens 310, cache_creation_input_tokens 40, cache_read_input_tokens 1200, output_tokens 14}
    assert.deepEqual([off.steps[1].metrics?.prompt_tokens, off.steps[1].metrics?.cached_tokens], [310, 1240], 'relay-0.3: cached > prompt');
    assert.deepEqual([d.steps[1].metrics?.prompt_tokens, d.steps[1].metrics?.cached_tokens], [1550, 1200]);
    assert.equal(d.steps[1].metrics?.extra?.cache_creation_input_tokens, 40, 'cache writes stay in extra');
    assert.deepEqual(without(d.steps, 'metrics'), without(off.steps, 'metrics'));
    assert.deepEqual(d.final_metrics, { ...off.final_metrics, total_prompt_tokens: 1550, total_cached_tokens: 1200 });
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
    assert.ok(!(await runJson<{ fixes?: string[] }>(['explain', fixture(N), '--session-id', 's', '--step', '2', '--no-fix', N])).fixes?.includes(N));
  });

  it('reads only Anthropic cache counts: OpenAI usage, and Anthropic usage without cache counts, read as before', () => {
    const rules = { anthropicTokenAccounting: true };
    const metrics = (usage: Json) => [extractMetrics({ usage }, rules), extractMetrics({ usage })];
    const [fixed, seedMetrics] = metrics({ prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 60 } });
    assert.deepEqual(fixed, seedMetrics);
    const [plain, plainSeed] = metrics({ input_tokens: 12, output_tokens: 3 });
    assert.deepEqual(plain, plainSeed);
    // Only cache writes: nothing was read from the cache.
    const [writes] = metrics({ input_tokens: 12, cache_creation_input_tokens: 30, output_tokens: 3 });
    assert.deepEqual([writes?.prompt_tokens, writes?.cached_tokens], [42, undefined]);
    // A usage that names prompt_tokens itself keeps it.
    const [named] = metrics({ prompt_tokens: 500, input_tokens: 12, cache_read_input_tokens: 400 });
    assert.deepEqual([named?.prompt_tokens, named?.cached_tokens], [500, 400]);
  });

  it('leaves OpenAI-shaped usage that carries cache_* keys as relay-0.3 reads it (README: "OpenAI usage is read as before")', () => {
    const rules = { anthropicTokenAccounting: true };
    const both = (usage: Json) => [extractMetrics({ usage }, rules), extractMetrics({ usage })];
    // A router's chat usage: prompt_tokens already counts the cached input. Was cached 1200 (changed by the fix).
    const [chat, chatSeed] = both({ prompt_tokens: 1550, completion_tokens: 14, cache_creation_input_tokens: 40, cache_read_input_tokens: 1200 });
    assert.deepEqual(chat, chatSeed);
    assert.deepEqual([chat?.prompt_tokens, chat?.cached_tokens], [1550, 1240]);
    // A Responses usage: input_tokens counts the cached input too. Was prompt 3500 (the cache read added again).
    const responses = { input_tokens: 2000, input_tokens_details: { cached_tokens: 1500 }, output_tokens: 9, cache_read_input_tokens: 1500 };
    const [resp, respSeed] = both(responses);
    assert.deepEqual(resp, respSeed);
    assert.equal(resp?.prompt_tokens, 2000);
    // explain agrees: the fix does not apply to either.
    assert.equal(anthropicTokenAccountingApplies({ usage: { prompt_tokens: 1550, cache_read_input_tokens: 1200 } }), false);
    assert.equal(anthropicTokenAccountingApplies({ usage: responses }), false);
    assert.equal(anthropicTokenAccountingApplies({ usage: { input_tokens: 310, cache_read_input_tokens: 1200, output_tokens: 1 } }), true);
    // Zero cache counts change no count: explain does not name the fix for them.
    assert.equal(anthropicTokenAccountingApplies({ usage: { input_tokens: 310, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } }), false);
  });
});

describe('keep-interleaved-extra (#937)', () => {
  const N = 'keep-interleaved-extra';

  it('the agent step of the call that ended first keeps its extra', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.equal(s0.steps[2].extra, undefined, 'quirk Q1 at the seed');
    const extra = d.steps[2].extra as Record<string, any>;
    assert.equal(extra.ancestry.function_id, span('f1'));
    assert.equal(extra.invocation.invocation_id, span('f1'));
    assert.equal(extra.llm_response.choices[0].message.content, 'a.txt is a list.');
    assert.deepEqual(without(d.steps, 'extra'), without(s0.steps, 'extra'));
    assert.deepEqual(d.steps[3], s0.steps[3]);
  });

  it('explain no longer reports W_EXTRA_DROPPED_INTERLEAVED and names the fix on the step', async () => {
    const warnings = async (...flags: string[]) => (await overview(N, ...flags)).trajectories[0].spans.find((s) => s.span === span('f1'))!.warnings;
    assert.deepEqual(await warnings('--profile', 'relay-0.3'), ['W_EXTRA_DROPPED_INTERLEAVED']);
    assert.deepEqual(await warnings(), []);
    assert.deepEqual((await stepAt(N, 3)).fixes, ['keep-interleaved-extra']);
  });
});

describe('closed-content-parts (ATIF v1.7: ContentPart and ImageSource are closed)', () => {
  const cached = { type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } };
  const image = { type: 'image', source: { media_type: 'image/png', path: 'images/a.png', detail: 'high' } };
  const request = { messages: [user([cached, image])] };
  const response = { choices: [{ message: { role: 'assistant', content: [{ type: 'text', text: 'hi', annotations: [] }] } }] };
  const events = () => [
    llm(1, 0, 'start', request),
    llm(1, 5, 'end', response),
    ev({ category: 'tool', scope_category: 'start', uuid: uuid(5), parent_uuid: P, timestamp: at(6), name: 'mcp', data: {} }),
    ev({ category: 'tool', scope_category: 'end', uuid: uuid(5), parent_uuid: P, timestamp: at(7), name: 'mcp', data: [{ type: 'text', text: 'out', annotations: null }] }),
  ];

  it('messages and tool results keep only the keys ATIF allows; what was sent stays in extra', () => {
    const d = toAtif(events());
    assert.deepEqual(d.steps[0].message, [{ text: 'hello', type: 'text' }, { source: { media_type: 'image/png', path: 'images/a.png' }, type: 'image' }]);
    assert.deepEqual((d.steps[0].extra as any).llm_request, request, 'the request as sent');
    assert.deepEqual(d.steps[1].message, [{ text: 'hi', type: 'text' }]);
    const result = d.steps[1].observation!.results[0]; // the tool call's result, on the agent step
    assert.deepEqual(result.content, [{ text: 'out', type: 'text' }]);
    assert.deepEqual(result.extra?.tool_result, [{ type: 'text', text: 'out', annotations: null }]);
    assert.deepEqual(validateTrajectory(d).filter((f) => f.level === 'error'), []);
  });

  it('relay-0.3 passes provider keys through, which ATIF forbids', () => {
    const s0 = toAtif(events(), 'relay-0.3');
    assert.deepEqual(s0.steps[0].message, [cached, image]);
    assert.deepEqual(validateTrajectory(s0).filter((f) => f.level === 'error').map((f) => f.path).sort(), [
      '$.steps[0].message[0].cache_control',
      '$.steps[0].message[1].source.detail',
      '$.steps[1].message[0].annotations',
      '$.steps[1].observation.results[0].content[0].annotations',
    ]);
  });

  it('parts already closed are written as they are, and the fix is not named on the step', () => {
    const closed = [{ type: 'text', text: 'plain' }];
    const t = toAtif([llm(1, 0, 'start', { messages: [user(closed)] }), llm(1, 5, 'end', answer('a'))]);
    assert.equal(t.steps[0].message, (t.steps[0].extra as any).llm_request.messages[0].content, 'the same array, not a copy');
  });

  it('the dedupe signature still reads the parts as sent: requests that differ only by cache_control stay different', () => {
    const [a, b] = [{ messages: [user([cached])] }, { messages: [user([{ type: 'text', text: 'hello' }])] }];
    const { extractUserMessage } = requestModule;
    assert.notDeepEqual(extractUserMessage(a).value, extractUserMessage(b).value);
  });
});

describe('closed-content-parts without structured-tool-results', () => {
  it('a tool result that is an array but not ATIF parts is written as at the seed, not a crash', () => {
    const events = [
      ev({ category: 'tool', scope_category: 'start', uuid: uuid(5), parent_uuid: P, timestamp: at(1), name: 'read', data: {} }),
      ev({ category: 'tool', scope_category: 'end', uuid: uuid(5), parent_uuid: P, timestamp: at(2), name: 'read', data: [{ type: 'document', title: 'x' }, { type: 'image' }] }),
    ];
    for (const t of [toAtif(events, 'default', ['structured-tool-results']), toAtif(events, 'relay-0.3')]) {
      assert.deepEqual(t.steps[0].observation!.results[0].content, [{ type: 'document', title: 'x' }, { type: 'image' }]);
    }
  });
});

describe('earlier-step-tool-events (atif-conversion.md §3.10–3.12)', () => {
  const N = 'earlier-step-tool-events';
  const calls = (s: { tool_calls?: Array<{ tool_call_id: string }> }) => (s.tool_calls ?? []).map((c) => c.tool_call_id);
  const results = (s: { observation?: { results: Array<{ source_call_id?: string; content?: Json }> } }) =>
    (s.observation?.results ?? []).map((r) => [r.source_call_id, r.content]);
  const invocations = (s: { extra?: Record<string, Json> }) => ((s.extra?.tool_invocations ?? []) as Array<{ invocation_id: string }>).map((i) => i.invocation_id);

  it("a utility call answered between a tool call and its tool events leaves the call, its result and its metadata on the step that called it", async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    // Without the fix: the title answer got a copy of read_file with its result; list_dir's result
    // (its tool ran while the second title call was open) became a trailing system step without its id.
    const offAgents = off.steps.filter((s) => s.source !== 'user');
    assert.deepEqual(offAgents.map(calls), [['call_read'], ['call_read'], ['call_ls'], [], [], []]);
    assert.deepEqual(offAgents.map(results), [[], [['call_read', 'alpha']], [], [], [], [[undefined, 'a.txt\nb.txt']]]);
    const agents = d.steps.filter((s) => s.source !== 'user');
    assert.deepEqual(agents.map(calls), [['call_read'], [], ['call_ls'], [], []]);
    assert.deepEqual(agents.map(results), [[['call_read', 'alpha']], [], [['call_ls', 'a.txt\nb.txt']], [], []]);
    assert.deepEqual(agents.map(invocations), [['call_read'], [], ['call_ls'], [], []]);
    assert.deepEqual(d.steps.map((s) => s.message), off.steps.filter((s) => s.source !== 'system').map((s) => s.message));
    assert.deepEqual(validateTrajectory(d as unknown as Json).filter((w) => w.level === 'error'), []);
    assert.ok((await stepAt(N, 2)).fixes?.includes(N));
  });

  it('a tool event of the current step, or of a call no step holds yet, is handled as before', () => {
    const tool = (n: number, ms: number, phase: 'start' | 'end', id: string, data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'f', data, category_profile: { tool_call_id: id } });
    const call = (id: string) => ({ choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }] } }] });
    // The tool ends before the answer that calls it: deferred, then attached when that answer lists it.
    const early = toAtif([llm(1, 0, 'start', chat(user('q'))), tool(8, 1, 'start', 't1', {}), tool(8, 2, 'end', 't1', 'r'), llm(1, 3, 'end', call('t1'))]);
    assert.deepEqual(early.steps.map(results), [[], [['t1', 'r']]]);
    const current = toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', call('t1')), tool(8, 2, 'start', 't1', {}), tool(8, 3, 'end', 't1', 'r'), llm(2, 4, 'start', chat(user('next')))]);
    assert.deepEqual(current.steps.map(results), [[], [['t1', 'r']], []]);
  });

  it('the next main request gives the step that called the tool its result (gateway alone) or its content (an object result), past the utility call', () => {
    const tool = (n: number, ms: number, phase: 'start' | 'end', id: string, data: Json) =>
      ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'f', data, category_profile: { tool_call_id: id } });
    const call = (id: string) => ({ choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }] } }] });
    const next = chat(user('q'), { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 't1', content: 'as sent' });
    const title = [llm(3, 2, 'start', chat(user('q'))), llm(3, 3, 'end', answer('A title'))];
    const run = (hook: AtofEvent[], disable: FixName[] = []) =>
      toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', call('t1')), ...title, ...hook, llm(2, 6, 'start', next), llm(2, 7, 'end', answer('Done.'))], 'default', disable);
    const first = (t: ReturnType<typeof toAtif>) => t.steps.find((x) => x.tool_calls)!.observation?.results.map((r) => [r.source_call_id, r.content, r.extra?.source ?? r.extra?.content_source]);
    assert.deepEqual(first(run([])), [['t1', 'as sent', 'llm_request']]);
    assert.equal(first(run([], [N])), undefined, 'without the fix the request reached only the title step');
    const hook = [tool(8, 4, 'start', 't1', {}), tool(8, 5, 'end', 't1', { stdout: 'x' })];
    assert.deepEqual(first(run(hook)), [['t1', 'as sent', 'llm_request']]);
    // A new round of calls ends the wait: an older step is not filled from a later request.
    const later = toAtif([llm(1, 0, 'start', chat(user('q'))), llm(1, 1, 'end', call('t1')), ...title, llm(4, 4, 'start', chat(user('q'))), llm(4, 5, 'end', call('t2')), llm(2, 6, 'start', next)]);
    assert.equal(later.steps.find((x) => x.tool_calls?.[0]?.tool_call_id === 't1')!.observation, undefined);
  });
});

describe('tool-result-reminder-continuation (no-repeated-user-step)', () => {
  const N = 'tool-result-reminder-continuation';
  const reminder = { type: 'text', text: "<system-reminder>\nThe TodoWrite tool hasn't been used recently.\n</system-reminder>" };
  const result = { type: 'tool_result', tool_use_id: 't1', content: 'ok' };

  it("a tool round whose results carry Claude Code's system reminders writes no user step; the user's own words beside results still do", async () => {
    const [off, d] = [await convert(N, '--no-fix', N), await byDefault(N)];
    assert.deepEqual(sources(off), ['user', 'agent', 'user', 'agent', 'user', 'agent']);
    assert.match(String(off.steps[2].message), /^\[\{"content":"12 passing","tool_use_id":"toolu_1","type":"tool_result"\}/);
    assert.deepEqual(sources(d), ['user', 'agent', 'agent', 'user', 'agent']);
    // The request goes to its answer's step, as a continuation's does.
    assert.ok(JSON.stringify(d.steps[2].extra?.llm_request).includes('toolu_1'));
    assert.deepEqual(renumbered(without(d.steps, 'extra')), renumbered(without(off.steps.filter((_, i) => i !== 2), 'extra')));
    assert.ok((await stepAt(N, 3)).fixes?.includes(N));
  });

  it('only whole <system-reminder> texts beside tool parts are no user input, and only with the option', () => {
    const last = (...content: Json[]) => chat(user('q'), { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, user(content));
    const on = { reminderContinuation: true };
    assert.equal(requestTurnState(last(result, reminder), on), 'continuation');
    assert.equal(requestTurnState(last(result, reminder, { ...reminder, text: '  ' + reminder.text + '\n' }), on), 'continuation');
    assert.equal(requestTurnState(last(result, reminder)), 'fresh', 'as at NeMo-Relay HEAD without the option');
    assert.equal(requestTurnState(last(result, reminder, { type: 'text', text: 'Also check the types.' }), on), 'fresh');
    assert.equal(requestTurnState(last(result, { type: 'text', text: '<system-reminder>x</system-reminder> and do y' }), on), 'fresh');
    assert.equal(requestTurnState(last(reminder), on), 'fresh', 'no tool round: reminders alone are a new message');
  });
});
