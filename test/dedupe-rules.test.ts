import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { collectLlmSpans, type SpanCandidate } from '../src/dedupe/candidates.js';
import { eventFidelity } from '../src/dedupe/fidelity.js';
import { decidePair, type PairDecision } from '../src/dedupe/pair.js';
import { compareCandidates, runDedupe, summarize } from '../src/dedupe/pass.js';
import { sortEvents } from '../src/atif/export.js';
import type { Json } from '../src/json/value.js';
import { P, llmSpan, uuid } from './support/events.js';

const chat = (text: string): Json => ({ messages: [{ role: 'user', content: text }] });
const answer = (text: string, usage?: Json): Json => ({ choices: [{ message: { content: text } }], ...(usage ? { usage } : {}) });
const HOOK = { hook_event_name: 'pre_api_request' };
const EXACT_HOOK = { hook_event_name: 'pre_api_request', provider_payload_exact: true };
const SUMMARY_HOOK = (id: string) => ({ hook_event_name: 'pre_api_request', api_call_id: id, provider_payload_exact: false });
const GATEWAY = { gateway_path: '/v1/chat/completions' };

function candidates(...spans: Array<ReturnType<typeof llmSpan>>): SpanCandidate[] {
  return collectLlmSpans(sortEvents(spans.flat())).map((s) => s.candidate!);
}

test('fidelity tiers: the first matching row wins', () => {
  assert.deepEqual(eventFidelity(undefined), { rule: 'FIDELITY_NO_METADATA', score: 50 });
  assert.deepEqual(eventFidelity('x'), { rule: 'FIDELITY_NO_METADATA', score: 50 });
  assert.deepEqual(eventFidelity({ projection: true, provider_payload_exact: true }), { rule: 'FIDELITY_PROJECTION', score: 10 });
  assert.deepEqual(eventFidelity({ provider_payload_exact: false, api_call_id: 'x' }), { rule: 'FIDELITY_NON_EXACT', score: 30 });
  assert.deepEqual(eventFidelity({ provider_payload_exact: true }), { rule: 'FIDELITY_EXACT', score: 100 });
  assert.deepEqual(eventFidelity({ provider_payload_exact: 'false', fidelity_source: 'x' }), { rule: 'FIDELITY_HOOK_CORRELATED', score: 95 });
  assert.deepEqual(eventFidelity({ api_call_id: null }), { rule: 'FIDELITY_HOOK_CORRELATED', score: 95 });
  assert.deepEqual(eventFidelity({ hook_event_name: null }), { rule: 'FIDELITY_HOOK', score: 90 });
  assert.deepEqual(eventFidelity({ llm_correlation_source: 'x' }), { rule: 'FIDELITY_GATEWAY', score: 50 });
  assert.deepEqual(eventFidelity({ other: 1 }), { rule: 'FIDELITY_DEFAULT', score: 50 });
});

test('span score is the max of start and end; markers record the event and key', () => {
  const [c] = candidates(llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 5, request: chat('a'), response: answer('b'), startMeta: EXACT_HOOK, endMeta: SUMMARY_HOOK('k') }));
  assert.equal(c.score, 100);
  assert.deepEqual(c.nonExact, { event: 'end', key: 'provider_payload_exact' });
  assert.deepEqual(c.hook, { event: 'start', key: 'hook_event_name' });
  assert.equal(c.gateway, undefined);
});

test('NOT_CANDIDATE reasons, in order', () => {
  const [s1, e1] = llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 1, request: chat('a'), response: answer('b') });
  const [s2] = llmSpan({ uuid: uuid(2), parent: P, start: 0, end: 1, request: chat('a'), response: answer('b') });
  const [, e3] = llmSpan({ uuid: uuid(3), parent: P, start: 0, end: 1, request: chat('a'), response: answer('b') });
  const [s4, e4] = llmSpan({ uuid: uuid(4), parent: P, start: 0, end: 1, request: null, response: answer('b') });
  const [s5, e5] = llmSpan({ uuid: uuid(5), parent: P, start: 0, end: 1, request: chat('a'), response: null });
  const spans = collectLlmSpans(sortEvents([s1, e1, s2, e3, s4, e4, s5, e5]));
  const by = Object.fromEntries(spans.map((s) => [s.uuid, s.eligibility]));
  assert.deepEqual(by, {
    [uuid(1)]: 'CANDIDATE',
    [uuid(2)]: 'NOT_CANDIDATE_NO_END',
    [uuid(3)]: 'NOT_CANDIDATE_NO_START',
    [uuid(4)]: 'NOT_CANDIDATE_START_NO_DATA',
    [uuid(5)]: 'NOT_CANDIDATE_END_NO_DATA',
  });
});

test('pair rules one by one', () => {
  const base = { request: chat('q'), response: answer('a') };
  const hook = (n: number, extra: Partial<Parameters<typeof llmSpan>[0]> = {}) => llmSpan({ uuid: uuid(n), parent: P, start: 0, end: 10, startMeta: HOOK, endMeta: HOOK, ...base, ...extra });
  const gw = (n: number, extra: Partial<Parameters<typeof llmSpan>[0]> = {}) => llmSpan({ uuid: uuid(n), parent: P, start: 1, end: 9, startMeta: GATEWAY, endMeta: GATEWAY, ...base, ...extra });
  const rule = (a: ReturnType<typeof llmSpan>, b: ReturnType<typeof llmSpan>) => {
    const [l, r] = candidates(a, b).sort(compareCandidates);
    return decidePair(l, r);
  };
  assert.equal(rule(hook(1, { parent: undefined }), gw(2)).rule, 'KEPT_NO_PARENT');
  assert.equal(rule(hook(1, { parent: uuid(99) }), gw(2)).rule, 'KEPT_PARENT_MISMATCH');
  assert.equal(rule(hook(1, { model: 'a' }), gw(2, { model: 'b' })).rule, 'KEPT_MODEL_MISMATCH');
  assert.equal(rule(hook(1, { model: 'a' }), gw(2)).rule, 'MERGED_SAME_PAYLOAD', 'an absent model is compatible');
  assert.equal(rule(hook(1, { end: 0 }), gw(2)).rule, 'KEPT_NO_OVERLAP');
  const touching = rule(hook(1, { end: 1 }), gw(2));
  assert.equal(touching.rule, 'MERGED_SAME_PAYLOAD', 'closed intervals: touching windows overlap');
  assert.equal(touching.checks.overlap?.touching, true);
  const merged = rule(hook(1), gw(2));
  assert.equal(merged.rule, 'MERGED_SAME_PAYLOAD');
  assert.equal(merged.suppressed, uuid(2), 'the plain hook (90) beats the gateway (50)');
  assert.equal(merged.checks.overlap?.gapNs, '-8000000', 'the hook window (0–10 ms) holds the gateway one (1–9 ms): they share 8 ms');
  assert.equal(rule(hook(1, { start: 2, end: 20 }), gw(2)).checks.overlap?.gapNs, '-7000000', 'partial overlap: 2–9 ms');
  assert.equal(rule(hook(1, { end: 0 }), gw(2)).checks.overlap?.gapNs, '1000000', 'disjoint: 1 ms apart');
  assert.equal(rule(hook(1), gw(2, { response: answer('other') })).rule, 'KEPT_NOT_COMPLEMENTARY');
  assert.equal(rule(hook(1, { startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k'), request: { n: 2 } }), gw(2)).checks.complementary?.pass, true);
  assert.equal(rule(hook(1, { startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k'), request: { n: 2 } }), gw(2)).rule, 'KEPT_NO_SHARED_KEY');
  const byKey = rule(hook(1, { startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k'), request: { n: 2 } }), gw(2, { startMeta: { ...GATEWAY, llm_correlation_request_id: 'k' } }));
  assert.equal(byKey.rule, 'MERGED_COMPLEMENTARY_CORRELATION_KEY');
  assert.deepEqual(byKey.checks.evidence?.sharedKeys, ['request:k']);
  assert.equal(byKey.suppressed, uuid(1), 'the gateway (50) beats the summary hook (30)');
  const byRequest = rule(hook(1, { startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k'), response: { summary: true } }), gw(2));
  assert.equal(byRequest.rule, 'MERGED_COMPLEMENTARY_REQUEST_SIGNATURE');
  const tie = rule(gw(1), gw(2));
  assert.equal(tie.rule, 'KEPT_EQUAL_FIDELITY');
  assert.equal(tie.basis, 'SAME_PAYLOAD');
  const nonGateway = rule(hook(1, { startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k'), request: { n: 2 } }), hook(2));
  assert.equal(nonGateway.rule, 'KEPT_NOT_COMPLEMENTARY');
  assert.equal(nonGateway.checks.complementary?.reason, 'COUNTERPART_NOT_GATEWAY');
});

test('request and generation keys live in separate namespaces', () => {
  const [h, g] = candidates(
    llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 10, request: { n: 1 }, response: 'x', startMeta: SUMMARY_HOOK('k') }),
    llmSpan({ uuid: uuid(2), parent: P, start: 1, end: 9, request: chat('q'), response: answer('a'), startMeta: { ...GATEWAY, llm_correlation_generation_id: 'k' } }),
  ).sort(compareCandidates);
  assert.equal(decidePair(h, g).rule, 'KEPT_NO_SHARED_KEY');
});

test('supplemental metrics fill only what the survivor lacks; a chain loses metrics (W_METRICS_LOST)', () => {
  const events = [
    ...llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 10, request: chat('q'), response: answer('a', { prompt_tokens: 1 }), startMeta: EXACT_HOOK }),
    ...llmSpan({ uuid: uuid(2), parent: P, start: 1, end: 9, request: chat('q'), response: answer('a', { prompt_tokens: 7, completion_tokens: 3 }), startMeta: { ...GATEWAY, llm_correlation_request_id: 'k' } }),
    ...llmSpan({ uuid: uuid(3), parent: P, start: 2, end: 8, request: { n: 1 }, response: { content: 'summary', usage: { completion_tokens: 5 } }, startMeta: SUMMARY_HOOK('k'), endMeta: SUMMARY_HOOK('k') }),
  ];
  const r = runDedupe(sortEvents(events));
  // Recorded: the matched pairs (1–2, 2–3). 1–3 (an exact hook span and a summary) is KEPT_NOT_COMPLEMENTARY by its two spans alone.
  assert.deepEqual(r.pairs.map((p) => [p.left, p.right, p.rule]), [[uuid(1), uuid(2), 'MERGED_SAME_PAYLOAD'], [uuid(2), uuid(3), 'MERGED_COMPLEMENTARY_CORRELATION_KEY']]);
  assert.deepEqual([...r.suppressed].sort(), [uuid(2), uuid(3)]);
  assert.deepEqual(r.supplemental.get(uuid(1)), { prompt_tokens: 7, completion_tokens: 3 });
  const state = Object.fromEntries(r.spans.map((s) => [s.span.uuid, s]));
  assert.equal(state[uuid(1)].state, 'SPAN_SURVIVOR');
  assert.equal(state[uuid(2)].state, 'SPAN_SUPPRESSED');
  assert.ok(state[uuid(2)].warnings.includes('W_METRICS_LOST'));
  assert.ok(state[uuid(2)].warnings.includes('W_MULTI_MATCH'));
  assert.deepEqual(state[uuid(3)].suppressedBy, [uuid(2)]);
});

test('--no-dedupe records decisions but suppresses nothing', () => {
  const events = [
    ...llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 10, request: chat('q'), response: answer('a'), startMeta: HOOK }),
    ...llmSpan({ uuid: uuid(2), parent: P, start: 1, end: 9, request: chat('q'), response: answer('a'), startMeta: GATEWAY }),
  ];
  const r = runDedupe(sortEvents(events), { enabled: false });
  assert.equal(r.pairs[0].rule, 'MERGED_SAME_PAYLOAD');
  assert.equal(r.suppressed.size, 0);
});

// ---- the sweep must decide exactly like the reference's all-pairs loop --------------------------

/** The reference's algorithm, kept only as a test oracle: every unordered pair, quadratic. */
function naiveSuppressed(cands: SpanCandidate[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < cands.length; i++)
    for (let j = i + 1; j < cands.length; j++) {
      const d = decidePair(cands[i], cands[j]);
      if (d.suppressed) out.add(d.suppressed);
    }
  return out;
}

test('property: the sweep suppresses exactly what the all-pairs oracle suppresses', () => {
  const texts = ['q1', 'q2'];
  const metas: Json[] = [HOOK, EXACT_HOOK, GATEWAY, SUMMARY_HOOK('k1'), SUMMARY_HOOK('k2'), { ...GATEWAY, llm_correlation_request_id: 'k1' }, null, { projection: true }];
  const spanArb = fc.record({
    parent: fc.constantFrom(P, uuid(98), undefined),
    start: fc.integer({ min: 0, max: 40 }),
    len: fc.integer({ min: -3, max: 25 }),
    model: fc.constantFrom(undefined, 'm1', 'm2'),
    req: fc.constantFrom(...texts),
    resp: fc.constantFrom('a1', 'a2'),
    meta: fc.constantFrom(...metas),
  });
  fc.assert(
    fc.property(fc.array(spanArb, { maxLength: 14 }), (specs) => {
      const events = specs.flatMap((s, i) =>
        llmSpan({ uuid: uuid(i + 1), parent: s.parent, start: s.start, end: s.start + s.len, model: s.model, request: chat(s.req), response: answer(s.resp), startMeta: s.meta ?? undefined }),
      );
      const sorted = sortEvents(events);
      const swept = runDedupe(sorted);
      const cands = collectLlmSpans(sorted).flatMap((s) => (s.candidate ? [s.candidate] : []));
      assert.deepEqual([...swept.suppressed].sort(), [...naiveSuppressed(cands)].sort());
      // the recorded decisions are exactly the oracle's matched ones, in evaluation order
      const basis: PairDecision[] = [];
      const sortedCands = [...cands].sort(compareCandidates);
      for (let i = 0; i < sortedCands.length; i++)
        for (let j = i + 1; j < sortedCands.length; j++) {
          const d = decidePair(sortedCands[i], sortedCands[j]);
          if (d.basis) basis.push(d);
        }
      assert.deepEqual(swept.pairs, basis);
      assert.ok(summarize(collectLlmSpans(sorted), swept.pairs).spans.length >= 0);
    }),
    { numRuns: 300, seed: 20261126 },
  );
});
