/**
 * The dedupe pass on bursts of concurrent calls: under one parent, n calls whose windows all overlap are
 * n(n-1)/2 overlapping pairs. The pass decides only the pairs that can match (found through request
 * signatures and correlation keys), and explain counts the others per rule without listing them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { providerRules, sortEvents } from '../src/atif/export.js';
import { dedupeFixOptions } from '../src/dedupe/fix-options.js';
import { resolveFixes, type ProfileName } from '../src/profiles/fixes.js';
import { countOverlappingPairs, type Window } from '../src/dedupe/overlap-count.js';
import { collectLlmSpans, type SpanCandidate } from '../src/dedupe/candidates.js';
import { canMatch, matchablePairs } from '../src/dedupe/matchable-pairs.js';
import { decidePair, type PairDecision } from '../src/dedupe/pair.js';
import { separateRounds } from '../src/dedupe/rounds.js';
import { compareCandidates, runDedupe, type DedupeOptions, type DedupeResult } from '../src/dedupe/pass.js';
import { candidatesOf, PAIR_RULES, sameParentPairs, sameParentRuleCounts } from '../src/explain/pairs.js';
import type { Json } from '../src/json/value.js';
import { P, llmSpan, uuid } from './support/events.js';

const chat = (text: string): Json => ({ messages: [{ role: 'user', content: text }] });
const answer = (text: string): Json => ({ choices: [{ message: { content: text } }] });
const GATEWAY = { gateway_path: '/v1/chat/completions' };
const SUMMARY_HOOK = (id: string) => ({ hook_event_name: 'pre_api_request', api_call_id: id, provider_payload_exact: false });
const KEYED_GATEWAY = (id: string) => ({ ...GATEWAY, llm_correlation_request_id: id });

/** The oracle: every same-parent pair decided one by one, tallied per rule. */
function tally(dedupe: DedupeResult): Record<string, number> {
  const counts: Record<string, number> = {};
  const pairs = sameParentPairs(dedupe);
  for (const rule of PAIR_RULES) {
    const n = pairs.filter((p) => p.rule === rule).length;
    if (n > 0) counts[rule] = n;
  }
  return counts;
}

describe('countOverlappingPairs', () => {
  const naive = (ws: Window[]) => {
    let n = 0;
    for (let i = 0; i < ws.length; i++) for (let j = i + 1; j < ws.length; j++) if (ws[i].startTs <= ws[j].endTs && ws[j].startTs <= ws[i].endTs) n++;
    return n;
  };

  it('counts what testing every pair counts: shared instants, equal windows, inverted windows', () => {
    const window = fc.record({ start: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: -6, max: 12 }) }).map((w): Window => ({ startTs: BigInt(w.start), endTs: BigInt(w.start + w.len) }));
    fc.assert(
      fc.property(fc.array(window, { maxLength: 40 }), (ws) => assert.equal(countOverlappingPairs(ws), naive(ws))),
      { numRuns: 500, seed: 20261127 },
    );
  });

  it('examples', () => {
    const w = (s: number, e: number): Window => ({ startTs: BigInt(s), endTs: BigInt(e) });
    assert.equal(countOverlappingPairs([]), 0);
    assert.equal(countOverlappingPairs([w(0, 5)]), 0);
    assert.equal(countOverlappingPairs([w(0, 5), w(5, 9)]), 1); // touching
    assert.equal(countOverlappingPairs([w(0, 5), w(6, 9)]), 0);
    assert.equal(countOverlappingPairs([w(10, 2), w(5, 6)]), 0); // inverted, and apart from [5, 6] on both tests
    assert.equal(countOverlappingPairs([w(10, 2), w(1, 12)]), 1);
    assert.equal(countOverlappingPairs(Array.from({ length: 1000 }, () => w(0, 1))), (1000 * 999) / 2);
  });
});

describe('a burst of concurrent calls under one agent', () => {
  /**
   * n gateway calls, all in flight at once, each with its own request; every third one also seen by a
   * summary hook that shares its request id (a complementary pair to merge).
   */
  function burst(n: number) {
    const events = [];
    for (let i = 0; i < n; i++) {
      const id = `req-${i}`;
      events.push(...llmSpan({ uuid: uuid(0x1000 + i), parent: P, start: i, end: 10 * n + i, model: 'm', request: chat(`q${i}`), response: answer(`a${i}`), startMeta: KEYED_GATEWAY(id) }));
      if (i % 3 === 0) events.push(...llmSpan({ uuid: uuid(0x100000 + i), parent: P, start: i + 1, end: 10 * n + i - 1, model: 'm', request: { n: 1 }, response: { content: `summary ${i}` }, startMeta: SUMMARY_HOOK(id), endMeta: SUMMARY_HOOK(id) }));
    }
    return runDedupe(sortEvents(events));
  }

  it('records only the pairs that match, and merges exactly those', () => {
    const n = 600;
    const r = burst(n);
    const hooks = Math.ceil(n / 3);
    assert.equal(r.pairs.length, hooks);
    assert.ok(r.pairs.every((p) => p.rule === 'MERGED_COMPLEMENTARY_CORRELATION_KEY'));
    assert.equal(r.suppressed.size, hooks);
    const hookSpans = new Set(Array.from({ length: n }, (_, i) => uuid(0x100000 + i)));
    for (const p of r.pairs) assert.ok(hookSpans.has(p.suppressed!), 'the summary hook span gives way');
  });

  it('counts every other pair per rule as deciding each would', () => {
    const r = burst(90);
    const spans = 90 + 30;
    const counts = sameParentRuleCounts(r);
    assert.deepEqual(counts, tally(r));
    // Every window overlaps every other: no pair is KEPT_NO_OVERLAP. A gateway call with a hook span
    // that is not its own is complementary but shares nothing (KEPT_NO_SHARED_KEY); two gateway calls
    // or two hook spans are not complementary.
    assert.deepEqual(counts, { KEPT_NOT_COMPLEMENTARY: (90 * 89) / 2 + (30 * 29) / 2, KEPT_NO_SHARED_KEY: 90 * 30 - 30, MERGED_COMPLEMENTARY_CORRELATION_KEY: 30 });
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), (spans * (spans - 1)) / 2);
  });
});

describe('a burst of identical calls under one agent', () => {
  const optionsOf = (profile: ProfileName): DedupeOptions => {
    const fixes = resolveFixes(profile, []);
    return dedupeFixOptions(fixes, providerRules(fixes));
  };
  const DEFAULT = optionsOf('default');

  /** n gateway calls in flight at once, same request, same answer, each with its own usage: every pair matches. */
  function identical(n: number, opts = DEFAULT) {
    const events = [];
    for (let i = 0; i < n; i++) {
      const response = { ...(answer('same') as object), usage: { prompt_tokens: 10, completion_tokens: 1, ...(i === n - 1 ? { cached_tokens: 7 } : {}) } };
      events.push(...llmSpan({ uuid: uuid(0x1000 + i), parent: P, start: i, end: 10 * n + i, model: 'm', request: chat('q'), response, startMeta: GATEWAY }));
    }
    return runDedupe(sortEvents(events), opts);
  }

  it('decides every pair; the check values they share are one frozen object each, equal to their own', () => {
    const n = 70;
    const r = identical(n, optionsOf('relay-0.3'));
    assert.equal(r.pairs.length, (n * (n - 1)) / 2);
    assert.ok(r.pairs.every((p) => p.rule === 'KEPT_EQUAL_FIDELITY'));
    const [a, b] = [r.pairs[0].checks, r.pairs[r.pairs.length - 1].checks];
    assert.deepEqual(a.parent, { pass: true, left: P, right: P });
    assert.deepEqual(a.payload, { pass: true, requestEqual: true, responseEqual: true });
    assert.equal(a.parent, b.parent);
    assert.equal(a.model, b.model);
    assert.equal(a.payload, b.payload);
    assert.equal(a.fidelity, b.fidelity);
    assert.notEqual(a.overlap, b.overlap, 'each pair its own gap');
    assert.throws(() => {
      (a.parent as { pass: boolean }).pass = false;
    }, TypeError);
  });

  it('with the fixes: the first call stays, and every other call’s usage reaches it through the chain', () => {
    // Long enough that the absorbed lists pass the length from which they are kept as bit sets.
    const n = 70;
    const r = identical(n);
    const first = uuid(0x1000);
    assert.equal(r.suppressed.size, n - 1);
    assert.ok(!r.suppressed.has(first));
    // Fill-missing: the survivor's own values win; only the last call had cached tokens.
    assert.deepEqual(r.supplemental.get(first), { prompt_tokens: 10, completion_tokens: 1, cached_tokens: 7 });
    const outcome = (u: string) => r.spans.find((s) => s.span.uuid === u)!;
    assert.deepEqual(outcome(first).absorbed, Array.from({ length: n - 1 }, (_, i) => uuid(0x1001 + i)));
    assert.deepEqual(outcome(uuid(0x1000 + n - 2)).absorbed, [uuid(0x1000 + n - 1)]);
    assert.equal(outcome(uuid(0x1000 + n - 1)).absorbed.length, 0);
    assert.ok(r.spans.every((o) => !o.warnings.includes('W_METRICS_LOST')));
  });
});

/**
 * Random LLM spans for the properties below: under two parents or none, windows that overlap, touch,
 * nest or are inverted, two models or none, and metadata that makes gateway spans, non-exact hook
 * spans, both or neither, with one correlation key, two (a request and a generation id) or none.
 */
const METAS: Json[] = [
  GATEWAY,
  SUMMARY_HOOK('k1'),
  SUMMARY_HOOK('k2'),
  KEYED_GATEWAY('k1'),
  { ...KEYED_GATEWAY('k2'), ...SUMMARY_HOOK('k2') },
  { ...SUMMARY_HOOK('k1'), generation_id: 'g1' },
  { ...KEYED_GATEWAY('k1'), llm_correlation_generation_id: 'g1' },
  { ...GATEWAY, llm_correlation_generation_id: 'g1' },
  { hook_event_name: 'x' },
  null,
];
const spanArb = fc.record({
  parent: fc.constantFrom(P, uuid(98), undefined),
  start: fc.integer({ min: 0, max: 40 }),
  len: fc.integer({ min: -4, max: 20 }),
  model: fc.constantFrom(undefined, 'm1', 'm2'),
  req: fc.constantFrom('q1', 'q2', 'q3'),
  resp: fc.constantFrom('a1', 'a2'),
  meta: fc.constantFrom(...METAS.keys()),
});
const eventsOf = (specs: Array<typeof spanArb extends fc.Arbitrary<infer T> ? T : never>) =>
  sortEvents(
    specs.flatMap((s, i) =>
      llmSpan({ uuid: uuid(i + 1), parent: s.parent, start: s.start, end: s.start + s.len, model: s.model, request: chat(s.req), response: answer(s.resp), startMeta: METAS[s.meta] ?? undefined }),
    ),
  );

describe('property: the pairs found through maps = the pairs found pair by pair = every pair that can match', () => {
  it('holds for clusters of every size, keys shared or not, inverted windows', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 30 }), (specs) => {
        const cands = collectLlmSpans(eventsOf(specs)).flatMap((s) => (s.candidate ? [s.candidate] : []));
        const ids = (pairs: Array<[SpanCandidate, SpanCandidate]>) => pairs.map(([l, r]) => `${l.uuid} ${r.uuid}`);
        const every: string[] = [];
        const sorted = [...cands].sort(compareCandidates);
        for (let i = 0; i < sorted.length; i++)
          for (let j = i + 1; j < sorted.length; j++) {
            const [l, r] = [sorted[i], sorted[j]];
            if (l.parentUuid !== undefined && l.parentUuid === r.parentUuid && l.startTs <= r.endTs && r.startTs <= l.endTs && canMatch(l, r)) every.push(`${l.uuid} ${r.uuid}`);
          }
        assert.deepEqual(ids(matchablePairs(cands)), every);
        assert.deepEqual(ids(matchablePairs(cands, 0)), every);
      }),
      { numRuns: 400, seed: 20261127 },
    );
  });
});

describe('property: per-rule counts without listing = tallying every pair', () => {
  it('holds for mixed parents, models, hook/gateway flags, keys and inverted windows', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 24 }), (specs) => {
        const r = runDedupe(eventsOf(specs));
        assert.deepEqual(sameParentRuleCounts(r), tally(r));
        // What sameParentPairs decides on demand is what the pass would have decided.
        const cands = candidatesOf(r).sort(compareCandidates);
        const listed = new Map(sameParentPairs(r).map((p) => [`${p.left} ${p.right}`, p]));
        for (let i = 0; i < cands.length; i++)
          for (let j = i + 1; j < cands.length; j++) {
            if (cands[i].parentUuid === undefined || cands[i].parentUuid !== cands[j].parentUuid) continue;
            assert.deepEqual(listed.get(`${cands[i].uuid} ${cands[j].uuid}`), decidePair(cands[i], cands[j]));
          }
      }),
      { numRuns: 400, seed: 20261127 },
    );
  });
});

describe('property: the cross-round review = scanning every accepted partner', () => {
  /** atif-dedupe.md E7 as written: matched pairs best first, each side's accepted partners scanned in full. */
  function naiveRounds(pairs: PairDecision[], byUuid: Map<string, SpanCandidate>): Map<string, string> {
    const overlaps = (a: SpanCandidate, b: SpanCandidate) => a.startTs <= b.endTs && b.startTs <= a.endTs;
    const length = (a: SpanCandidate, b: SpanCandidate) => (a.endTs < b.endTs ? a.endTs : b.endTs) - (a.startTs > b.startTs ? a.startTs : b.startTs);
    const ranked = pairs.map((p) => ({ p, l: byUuid.get(p.left)!, r: byUuid.get(p.right)! }));
    const keyed = (x: (typeof ranked)[number]) => [...x.l.keys.keys()].some((k) => x.r.keys.has(k));
    ranked.sort((a, b) => Number(keyed(b)) - Number(keyed(a)) || (length(a.l, a.r) > length(b.l, b.r) ? -1 : length(a.l, a.r) < length(b.l, b.r) ? 1 : 0) || compareCandidates(a.l, b.l) || compareCandidates(a.r, b.r));
    const accepted = new Map<string, SpanCandidate[]>();
    const kept = new Map<string, string>();
    for (const { p, l, r } of ranked) {
      const blocker = (accepted.get(l.uuid) ?? []).find((a) => !overlaps(a, r)) ?? (accepted.get(r.uuid) ?? []).find((a) => !overlaps(a, l));
      if (blocker) kept.set(`${p.left} ${p.right}`, blocker.uuid);
      else for (const [side, partner] of [[l, r], [r, l]]) accepted.set(side.uuid, [...(accepted.get(side.uuid) ?? []), partner]);
    }
    return kept;
  }

  it('keeps the same pairs apart, each with the same partner', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 30 }), (specs) => {
        const cands = collectLlmSpans(eventsOf(specs)).flatMap((s) => (s.candidate ? [s.candidate] : []));
        const byUuid = new Map(cands.map((c) => [c.uuid, c]));
        const matched = matchablePairs(cands).map(([l, r]) => decidePair(l, r)).filter((p) => p.basis !== undefined);
        const reviewed = separateRounds(matched, byUuid);
        const kept = new Map(reviewed.filter((p) => p.rule === 'KEPT_CROSS_ROUND').map((p) => [`${p.left} ${p.right}`, p.checks.rounds!.keptWith]));
        assert.deepEqual(kept, naiveRounds(matched, byUuid));
      }),
      { numRuns: 400, seed: 20261127 },
    );
  });
});

describe('property: a decision holds only the keys that apply (no key set to undefined), in its checks too', () => {
  const noUndefined = (o: object) => Object.entries(o).every(([, v]) => v !== undefined);
  it('holds for every pair of every rule, with and without the fixes, and for decisions a fix rewrote', () => {
    const withFixes = (() => {
      const fixes = resolveFixes('default' as ProfileName, []);
      return dedupeFixOptions(fixes, providerRules(fixes));
    })();
    const rules = new Set<string>();
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 16 }), fc.boolean(), (specs, fixed) => {
        const opts: DedupeOptions = fixed ? withFixes : {};
        const cands = collectLlmSpans(eventsOf(specs), opts).flatMap((s) => (s.candidate ? [s.candidate] : []));
        for (let i = 0; i < cands.length; i++) {
          for (let j = i + 1; j < cands.length; j++) {
            const d = decidePair(cands[i], cands[j], opts);
            rules.add(d.rule);
            assert.ok(noUndefined(d) && noUndefined(d.checks), JSON.stringify(d));
            assert.equal(d.canonical === undefined, d.suppressed === undefined);
          }
        }
        for (const p of runDedupe(eventsOf(specs), opts).pairs) assert.ok(noUndefined(p) && noUndefined(p.checks), JSON.stringify(p));
      }),
      { numRuns: 300, seed: 20261128 },
    );
    // The generator reaches the rules with the most shapes of decision and checks.
    for (const rule of ['KEPT_NO_PARENT', 'KEPT_MODEL_MISMATCH', 'KEPT_NO_OVERLAP', 'KEPT_NOT_COMPLEMENTARY', 'KEPT_EQUAL_FIDELITY', 'MERGED_SAME_PAYLOAD', 'MERGED_COMPLEMENTARY_CORRELATION_KEY']) {
      assert.ok(rules.has(rule), rule);
    }
  });
});
