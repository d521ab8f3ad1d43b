import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsToTrajectory } from '../src/atif/export.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import type { Json } from '../src/json/value.js';
import { at, ev, uuid } from './support/events.js';

const agent = { name: 'a', version: '1' };
const exportFlat = (events: AtofEvent[], profile: 'relay-0.3' | 'default' = 'relay-0.3') =>
  eventsToTrajectory(events, { sessionId: 's', agent, fixes: resolveFixes(profile) });
const llmEnd = (n: number, ms: number, data: Json) => ev({ category: 'llm', scope_category: 'end', uuid: uuid(n), timestamp: at(ms), name: 'llm', data });
const tool = (phase: 'start' | 'end', n: number, ms: number, name: string, data: Json | undefined, toolCallId?: string) =>
  ev({ category: 'tool', scope_category: phase, uuid: uuid(n), timestamp: at(ms), name, data: data ?? null, category_profile: toolCallId ? { tool_call_id: toolCallId } : {} });
const calls = (...cs: Array<[string, string, Json]>) => ({ tool_calls: cs.map(([id, name, args]) => ({ id, function: { name, arguments: args } })) });
const links = (r: ReturnType<typeof exportFlat>) => r.conversions[0].toolLinks.map((l) => [l.name, l.rule, l.sourceCallId, l.placement]);

test('explicit tool_call_id links a result to its call', () => {
  const r = exportFlat([llmEnd(1, 0, calls(['c1', 'search', {}])), tool('start', 2, 1, 'search', {}, 'c1'), tool('end', 2, 2, 'search', 'found', 'c1')]);
  assert.deepEqual(links(r), [['search', 'EXPLICIT_ID', 'c1', 'ATTACHED']]);
  assert.equal(r.trajectory?.steps[0].observation?.results[0].source_call_id, 'c1');
});

test('the id recorded at the tool start carries to its end', () => {
  const r = exportFlat([llmEnd(1, 0, calls(['c1', 'search', {}])), tool('start', 2, 1, 'search', { q: 1 }), tool('end', 2, 2, 'search', 'found')]);
  // Arguments differ ({} vs {q:1}) so the pre-pass has no key match; the unique name matched at the start.
  assert.deepEqual(links(r), [['search', 'START_RECORD', 'c1', 'ATTACHED']]);
  assert.equal(r.conversions[0].toolLinks[0].via, 'UNIQUE_NAME');
});

test('repeated identical calls pair with executions by ordinal (name + canonical arguments)', () => {
  const events = [
    tool('start', 2, 0, 'read', { b: 1, a: 2 }), tool('end', 2, 1, 'read', 'one'),
    tool('start', 3, 2, 'read', { a: 2, b: 1 }), tool('end', 3, 3, 'read', 'two'),
    llmEnd(1, 4, calls(['r1', 'read', '{"a":2,"b":1}'], ['r2', 'read', { b: 1, a: 2 }])),
  ];
  const r = exportFlat(events);
  // The start takes the pre-pass id and records it; the end then finds it through that record.
  assert.deepEqual(r.conversions[0].toolLinks.map((l) => [l.rule, l.via, l.sourceCallId, l.placement]), [
    ['START_RECORD', 'NAME_ARGUMENTS_ORDINAL', 'r1', 'DEFERRED_THEN_ATTACHED'],
    ['START_RECORD', 'NAME_ARGUMENTS_ORDINAL', 'r2', 'DEFERRED_THEN_ATTACHED'],
  ]);
  assert.deepEqual(r.trajectory?.steps[0].observation?.results.map((x) => [x.source_call_id, x.content]), [['r1', 'one'], ['r2', 'two']]);
});

test('refuses to guess: counts differ, or the start carried no arguments', () => {
  const differ = exportFlat([
    tool('start', 2, 0, 'read', { a: 1 }), tool('end', 2, 1, 'read', 'x'),
    llmEnd(1, 2, calls(['r1', 'read', { a: 1 }], ['r2', 'read', { a: 1 }])),
  ]);
  assert.equal(links(differ)[0][1], 'NO_MATCH');
  assert.equal(differ.trajectory?.steps[0].source, 'system', 'an unlinked result becomes a standalone system step');
  const noData = exportFlat([tool('start', 2, 0, 'read', undefined), tool('end', 2, 1, 'read', 'x'), llmEnd(1, 2, calls(['r1', 'read', {}]))]);
  assert.equal(links(noData)[0][1], 'NO_MATCH');
});

test('unique same-name call on the current step; two same-name calls block name matching', () => {
  const unique = exportFlat([llmEnd(1, 0, calls(['c1', 'read', { a: 1 }])), tool('end', 2, 1, 'read', 'x')]);
  assert.deepEqual(links(unique)[0].slice(1), ['UNIQUE_NAME', 'c1', 'ATTACHED']);
  const dup = exportFlat([llmEnd(1, 0, calls(['c1', 'read', { a: 1 }], ['c2', 'read', { a: 2 }])), tool('start', 2, 1, 'read', { a: 3 }), tool('end', 2, 2, 'read', 'x')]);
  assert.deepEqual(links(dup)[0].slice(1), ['NO_MATCH', undefined, 'STANDALONE']);
  assert.equal(dup.trajectory?.steps[0].tool_calls?.length, 2, 'no synthetic call is added next to two same-name calls');
});

test('a tool start with no matching call adds a synthetic call with its uuid', () => {
  const r = exportFlat([llmEnd(1, 0, { content: 'thinking' }), tool('start', 2, 1, 'shell', '"ls"'), tool('end', 2, 2, 'shell', { ok: true })]);
  const call = r.trajectory?.steps[0].tool_calls?.[0];
  assert.equal(call?.tool_call_id, uuid(2));
  assert.equal(call?.arguments, '"ls"', 'relay-0.3 copies the start data raw (quirk Q6)');
  const fixed = exportFlat([llmEnd(1, 0, { content: 'thinking' }), tool('start', 2, 1, 'shell', '"ls"'), tool('end', 2, 2, 'shell', { ok: true })], 'default');
  assert.deepEqual(fixed.trajectory?.steps[0].tool_calls?.[0].arguments, { value: 'ls' }, 'object-arguments fix');
  const result = fixed.trajectory?.steps[0].observation?.results[0];
  assert.equal(result?.content, undefined, 'structured-tool-results fix: no object content');
  assert.deepEqual(result?.extra?.tool_result, { ok: true });
});

test('back-to-back LLM ends: the earlier agent step keeps no extra (quirk Q1)', () => {
  const r = exportFlat([llmEnd(1, 0, { content: 'a' }), llmEnd(2, 1, { content: 'b' })]);
  assert.equal(r.trajectory?.steps[0].extra, undefined);
  assert.ok(r.trajectory?.steps[1].extra?.ancestry);
});

test('default profile: no empty trajectory, no non-scalar reasoning_effort', () => {
  assert.equal(exportFlat([], 'default').trajectory, undefined);
  assert.equal(exportFlat([]).trajectory?.steps.length, 0);
  const start = ev({ category: 'llm', scope_category: 'start', uuid: uuid(1), timestamp: at(0), name: 'llm', data: { prompt: 'p', reasoning_effort: { effort: 'high' } } });
  const end = llmEnd(1, 1, { content: 'x' });
  assert.deepEqual(exportFlat([start, end]).trajectory?.steps[1].reasoning_effort, { effort: 'high' });
  assert.equal(exportFlat([start, end], 'default').trajectory?.steps[1].reasoning_effort, undefined);
});

test('a call a tool start adds to one step stays off another step read from the same response body', () => {
  // Two LLM ends that hold the very same response object (readings of a response are shared within a
  // conversion): the tool start's call X joins the first agent step only.
  const shared = calls(['A', 'f', {}]);
  const r = exportFlat([llmEnd(1, 0, shared), tool('start', 2, 1, 'g', {}, 'X'), tool('end', 2, 2, 'g', 'done', 'X'), llmEnd(3, 3, shared)]);
  const agentSteps = r.trajectory!.steps.filter((s) => s.source === 'agent');
  assert.deepEqual(agentSteps.map((s) => (s.tool_calls ?? []).map((c) => c.tool_call_id)), [['A', 'X'], ['A']]);
});
