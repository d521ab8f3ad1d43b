import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pruneSubagentRefs } from '../src/atif/cleanup.js';
import { eventsToTrajectory } from '../src/atif/export.js';
import { mergeObservationResult } from '../src/atif/observations.js';
import type { ObservationResult, Step, Trajectory } from '../src/atif/types.js';
import { profileToolResultAnnotation, type AtofEvent } from '../src/ingest/atof.js';
import type { Json } from '../src/json/value.js';
import { resolveFixes, type FixName, type ProfileName } from '../src/profiles/fixes.js';
import { runJson } from './support/cli.js';
import { at, ev, P, uuid } from './support/events.js';
import { byDefault, convert, fixture, seed, without } from './support/fixes.js';

const N = 'tool-result-annotation';
const CACHE_HIT = { cache: { hit: true } };

const toAtif = (events: AtofEvent[], profile: ProfileName = 'default', disable: FixName[] = []) =>
  eventsToTrajectory(events, { sessionId: 's', agent: { name: 'a', version: '1' }, fixes: resolveFixes(profile, [], disable) }).trajectory!;
const llm = (n: number, ms: number, phase: 'start' | 'end', data: Json) =>
  ev({ category: 'llm', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'llm', data });
/** A tool scope event; `annotation` undefined leaves the key out of the profile. */
const tool = (n: number, ms: number, phase: 'start' | 'end', id: string | undefined, data: Json, annotation?: Json) => {
  const profile: Record<string, Json> = {};
  if (id !== undefined) profile.tool_call_id = id;
  if (annotation !== undefined) profile.tool_result_annotation = annotation;
  return ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'f', data, category_profile: profile });
};
const ask = (text: string) => ({ messages: [{ role: 'user', content: text }] });
const calls = (...ids: string[]) => ({
  choices: [{ message: { role: 'assistant', content: null, tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } })) } }],
});
const answer = (text: string) => ({ choices: [{ message: { role: 'assistant', content: text } }] });
/** [source_call_id, content, extra.tool_result_annotation] of each result of each step that has any. */
const results = (t: Trajectory) =>
  t.steps.filter((s) => s.observation).map((s) => s.observation!.results.map((r) => [r.source_call_id, r.content, r.extra?.tool_result_annotation]));
const stepFixes = async (step: number, ...flags: string[]) =>
  (await runJson<{ fixes?: string[] }>(['explain', fixture(N), '--session-id', 's', '--step', String(step), ...flags])).fixes ?? [];

describe('tool-result-annotation (NeMo-Relay #575)', () => {
  it("the fixture: an annotated result carries it in extra, an annotated end without data has a result, a null annotation is none", async () => {
    const [s0, off, d] = [await seed(N), await convert(N, '--no-fix', N), await byDefault(N)];
    assert.deepEqual(results(s0), [[['call_paris', 'Paris: 18°C, sunny', undefined], ['call_oslo', 'Oslo: 9°C, rain', undefined]]]);
    assert.deepEqual(off, s0);
    assert.deepEqual(results(d), [[
      ['call_paris', 'Paris: 18°C, sunny', CACHE_HIT],
      ['call_oslo', 'Oslo: 9°C, rain', undefined],
      // No data, so no content; tree pruning keeps it for its annotation.
      ['call_purge', undefined, { cache: { purged: 12 } }],
    ]]);
    const purge = d.steps[1].observation!.results[2];
    assert.equal('content' in purge, false);
    assert.deepEqual(Object.keys(purge.extra!).sort(), ['event_name', 'event_uuid', 'parent_event_uuid', 'tool_result_annotation']);
    // Nothing else changes: the annotated results are the seed's plus the key, then the new result.
    const [paris, oslo] = d.steps[1].observation!.results;
    const { tool_result_annotation: _, ...parisExtra } = paris.extra!;
    assert.deepEqual([{ ...paris, extra: parisExtra }, oslo], s0.steps[1].observation!.results);
    assert.deepEqual(without(d.steps, 'observation'), without(s0.steps, 'observation'));
  });

  it('explain --step names the fix on the step whose results it changed, and not without it', async () => {
    assert.deepEqual(await stepFixes(2), [N]);
    assert.deepEqual(await stepFixes(2, '--no-fix', N), []);
    assert.deepEqual(await stepFixes(1), []);
  });

  it('reads a non-null annotation of any JSON type; null and a missing key are none', () => {
    const end = (annotation?: Json) => tool(9, 1, 'end', 't1', 'r', annotation);
    assert.equal(profileToolResultAnnotation(end()), undefined);
    assert.equal(profileToolResultAnnotation(end(null)), undefined);
    for (const a of [CACHE_HIT, 'cached', 0, false, [], {}] as Json[]) assert.deepEqual(profileToolResultAnnotation(end(a)), a);
  });

  it('an end with neither data nor an annotation still gives no result; relay-0.3 reads no annotation', () => {
    const run = (data: Json, annotation?: Json, profile: ProfileName = 'default') =>
      results(toAtif([llm(1, 0, 'start', ask('q')), llm(1, 1, 'end', calls('t1')), tool(8, 2, 'start', 't1', {}), tool(8, 3, 'end', 't1', data, annotation)], profile));
    assert.deepEqual(run(null, null), []);
    assert.deepEqual(run(null), []);
    assert.deepEqual(run(null, CACHE_HIT), [[['t1', undefined, CACHE_HIT]]]);
    assert.deepEqual(run(null, CACHE_HIT, 'relay-0.3'), []);
    assert.deepEqual(run('r', CACHE_HIT, 'relay-0.3'), [[['t1', 'r', undefined]]]);
    // Beside a structured result: both keys, the value in tool_result.
    const both = toAtif([llm(1, 0, 'start', ask('q')), llm(1, 1, 'end', calls('t1')), tool(8, 2, 'start', 't1', {}), tool(8, 3, 'end', 't1', { n: 1 }, CACHE_HIT)]);
    const extra = both.steps[1].observation!.results[0].extra!;
    assert.deepEqual([extra.tool_result, extra.tool_result_annotation], [{ n: 1 }, CACHE_HIT]);
  });

  it('the annotation follows its result: deferred to the answer that lists the call, or into a standalone step', () => {
    // The tool ends before the answer that calls it: deferred, then attached with its annotation.
    const early = toAtif([llm(1, 0, 'start', ask('q')), tool(8, 1, 'start', 't1', {}), tool(8, 2, 'end', 't1', null, CACHE_HIT), llm(1, 3, 'end', calls('t1'))]);
    assert.deepEqual(results(early), [[['t1', undefined, CACHE_HIT]]]);
    // No answer ever lists it: the trailing system step of deferred results keeps it (without the id),
    // and that step names the fix.
    const r = eventsToTrajectory([llm(1, 0, 'start', ask('q')), llm(1, 1, 'end', answer('hi')), tool(8, 3, 'end', 't9', null, CACHE_HIT)], {
      sessionId: 's', agent: { name: 'a', version: '1' }, fixes: resolveFixes('default'),
    });
    const never = r.trajectory!;
    const last = never.steps[never.steps.length - 1];
    assert.equal(last.source, 'system');
    assert.deepEqual(results(never), [[[undefined, undefined, CACHE_HIT]]]);
    const origins = r.conversions[0].origins;
    const origin = [...origins.entries()].find(([s]) => s.observation?.results[0]?.extra?.tool_result_annotation)?.[1];
    assert.deepEqual([origin?.kind, origin?.fixes], ['deferred-observations', [N]]);
  });

  it('with earlier-step-tool-events the annotated result goes to the step that called the tool, past a utility call', () => {
    const title = [llm(3, 2, 'start', ask('title?')), llm(3, 3, 'end', answer('A title'))];
    const t = toAtif([llm(1, 0, 'start', ask('q')), llm(1, 1, 'end', calls('t1')), ...title, tool(8, 4, 'start', 't1', {}), tool(8, 5, 'end', 't1', 'r', CACHE_HIT)]);
    const caller = t.steps.find((s) => s.tool_calls?.[0]?.tool_call_id === 't1')!;
    assert.deepEqual(caller.observation?.results.map((r) => [r.content, r.extra?.tool_result_annotation]), [['r', CACHE_HIT]]);
    assert.equal(t.steps.filter((s) => s.observation).length, 1, 'the title step took nothing');
  });

  it('a result read from the next request has no annotation; an annotated result without data takes the request\'s text as content', () => {
    const next: Json = {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: ['t1', 't2'].map((id) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } })) },
        { role: 'tool', tool_call_id: 't1', content: 'sent for t1' },
        { role: 'tool', tool_call_id: 't2', content: 'sent for t2' },
      ],
    };
    // t1: an annotated end without data; t2: no tool event at all (request-tool-results).
    const t = toAtif([llm(1, 0, 'start', ask('q')), llm(1, 1, 'end', calls('t1', 't2')), tool(8, 2, 'start', 't1', {}), tool(8, 3, 'end', 't1', null, CACHE_HIT), llm(2, 4, 'start', next), llm(2, 5, 'end', answer('Done.'))]);
    const got = t.steps.find((s) => s.tool_calls)!.observation!.results;
    assert.deepEqual(got.map((r) => [r.source_call_id, r.content, r.extra?.tool_result_annotation, r.extra?.source ?? r.extra?.content_source]), [
      ['t1', 'sent for t1', CACHE_HIT, 'llm_request'],
      ['t2', 'sent for t2', undefined, 'llm_request'],
    ]);
  });

  it("a merge takes an annotation only with its own result's value, never onto another event's", () => {
    const obs = (...r: ObservationResult[]) => ({ results: r });
    const annotated: ObservationResult = { source_call_id: 'c', content: 'second', extra: { event_uuid: 'b', tool_result_annotation: CACHE_HIT } };
    // The call's result already holds another event's content: the annotation is not taken.
    for (const mergeExtra of [false, true]) {
      const o = obs({ source_call_id: 'c', content: 'first', extra: { event_uuid: 'a' } });
      mergeObservationResult(o, structuredClone(annotated), mergeExtra);
      assert.deepEqual(o.results, [{ source_call_id: 'c', content: 'first', extra: { event_uuid: 'a' } }], `mergeExtra ${mergeExtra}`);
    }
    const structured = obs({ source_call_id: 'c', extra: { event_uuid: 'a', tool_result: { n: 1 } } });
    mergeObservationResult(structured, structuredClone(annotated), true);
    assert.equal(structured.results[0].extra?.tool_result_annotation, undefined);
    const bare = obs({ source_call_id: 'c', content: 'first' });
    mergeObservationResult(bare, structuredClone(annotated));
    assert.deepEqual(bare.results[0].extra, { event_uuid: 'b' });
    // A placeholder (a subagent's ref, no value): the annotated result's content and annotation, with or without mergeExtra.
    for (const mergeExtra of [false, true]) {
      const ref = obs({ source_call_id: 'c', subagent_trajectory_ref: [{ trajectory_id: 'x' }], extra: { event_uuid: 'start' } });
      mergeObservationResult(ref, structuredClone(annotated), mergeExtra);
      assert.deepEqual([ref.results[0].content, ref.results[0].extra?.tool_result_annotation], ['second', CACHE_HIT], `mergeExtra ${mergeExtra}`);
    }
  });

  it('tree pruning keeps a result that holds only an annotation, with the fix', () => {
    const steps = (): Step[] => [{ step_id: 1, source: 'system', message: '', observation: { results: [{ source_call_id: 'c', extra: { tool_result_annotation: CACHE_HIT } }] } }];
    assert.equal(pruneSubagentRefs(steps(), new Set(), true, true).length, 1);
    assert.equal(pruneSubagentRefs(steps(), new Set(), true, false).length, 0);
  });
});
