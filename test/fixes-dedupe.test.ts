import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { providerRules, sortEvents } from '../src/atif/export.js';
import { resolveFixes, type FixName, type ProfileName } from '../src/profiles/fixes.js';
import { collectLlmSpans, type SpanCandidate } from '../src/dedupe/candidates.js';
import { dedupeFixOptions } from '../src/dedupe/fix-options.js';
import { decidePair, type PairDecision } from '../src/dedupe/pair.js';
import { compareCandidates, reviewPairs, runDedupe, summarize, type DedupeOptions, type DedupeResult } from '../src/dedupe/pass.js';
import { separateRounds } from '../src/dedupe/rounds.js';
import { tieBreak } from '../src/dedupe/tie-break.js';
import type { AtofEvent } from '../src/ingest/atof.js';
import { canonicalJson } from '../src/json/stringify.js';
import type { Json } from '../src/json/value.js';
import { P, llmSpan, uuid } from './support/events.js';
import { runCli, runJson } from './support/cli.js';
import { byDefault, convert, fixture, overview, renumbered, seed, sources, span, without, type OverviewJson, type PairJson } from './support/fixes.js';

const chat = (text: string): Json => ({ messages: [{ role: 'user', content: text }] });
const answer = (text: string | null, extra: Record<string, Json> = {}): Json => ({ choices: [{ message: { content: text, ...extra } }] });
const toolOnly = (id: string, name: string) => answer(null, { tool_calls: [{ id, type: 'function', function: { name, arguments: '{}' } }] });
const withUsage = (response: Json, usage: Json): Json => ({ ...(response as object), usage }) as Json;
const HOOK = { hook_event_name: 'pre_api_request' };
const EXACT_HOOK = { hook_event_name: 'pre_api_request', provider_payload_exact: true };
const SUMMARY_HOOK = (id: string) => ({ hook_event_name: 'post_api_request', api_call_id: id, provider_payload_exact: false });
const GATEWAY = { gateway_path: '/v1/chat/completions' };

const optionsOf = (profile: ProfileName, enable: FixName[] = []): DedupeOptions => {
  const fixes = resolveFixes(profile, enable);
  return dedupeFixOptions(fixes, providerRules(fixes));
};
const DEFAULT = optionsOf('default');
const candidates = (events: AtofEvent[], opts: DedupeOptions = DEFAULT): Map<string, SpanCandidate> =>
  new Map(collectLlmSpans(sortEvents(events), opts).flatMap((s) => (s.candidate ? [[s.uuid, s.candidate] as const] : [])));
const pairOf = (o: OverviewJson, l: string, r: string) => o.trajectories[0].pairs.find((p) => p.left === span(l) && p.right === span(r))!;
const spanOf = (o: OverviewJson, tail: string) => o.trajectories[0].spans.find((s) => s.span === span(tail))!;

describe('signature-tool-calls (#205)', () => {
  const N = 'signature-tool-calls';

  it('tool-only answers with different calls are two calls, not one', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(sources(s0), ['user', 'agent']);
    assert.deepEqual(sources(d), ['user', 'agent', 'user', 'agent']);
    assert.deepEqual(d.steps.slice(0, 2), s0.steps, "the hook span's steps are unchanged");
    assert.deepEqual(d.steps[3].tool_calls?.map((c) => c.tool_call_id), ['call_w'], "the gateway call's write is no longer lost");
    assert.equal(pairOf(await overview(N, '--profile', 'relay-0.3'), 'b1', 'b2').rule, 'MERGED_SAME_PAYLOAD');
    const pair = pairOf(await overview(N), 'b1', 'b2');
    assert.deepEqual([pair.rule, pair.fix, pair.checks.payload], ['KEPT_NOT_COMPLEMENTARY', 'signature-tool-calls', { pass: false, request_equal: true, response_equal: false }]);
  });

  it('the same tool calls still match, and then no fix is named', () => {
    const c = candidates([
      ...llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 10, request: chat('q'), response: toolOnly('c1', 'read'), startMeta: HOOK }),
      ...llmSpan({ uuid: uuid(2), parent: P, start: 1, end: 9, request: chat('q'), response: toolOnly('c1', 'read'), startMeta: GATEWAY }),
    ]);
    const d = decidePair(c.get(uuid(1))!, c.get(uuid(2))!, DEFAULT);
    assert.deepEqual([d.rule, d.fix], ['MERGED_SAME_PAYLOAD', undefined]);
    assert.match(c.get(uuid(1))!.responseSignature, /"tool_calls":\[\{"arguments":\{\},"function_name":"read","tool_call_id":"c1"\}\]/);
  });
});

describe('dedupe-cross-round (atif-dedupe.md E7, gen-dd-g08 style)', () => {
  const N = 'dedupe-cross-round';

  it("a late hook span no longer suppresses the next round's call", async () => {
    const [s0, d, onlyFix] = [await seed(N), await byDefault(N), await convert(N, '--profile', 'relay-0.3', '--fix', N)];
    assert.deepEqual(sources(s0), ['user', 'agent']);
    assert.deepEqual(d.steps.map((s) => [s.source, (s.extra as any).ancestry.function_id]), [['user', span('c1')], ['user', span('c3')], ['agent', span('c1')], ['agent', span('c3')]]);
    // With only this fix the two rounds interleave at the seed, so round 1's agent step loses its extra (Q1).
    assert.deepEqual(without(onlyFix.steps, 'extra'), without(d.steps, 'extra'));
    assert.equal(onlyFix.steps[2].extra, undefined);
  });

  it('explain names the fix on the pair it kept apart', async () => {
    const seedPair = pairOf(await overview(N, '--profile', 'relay-0.3'), 'c1', 'c3');
    assert.deepEqual([seedPair.rule, seedPair.suppressed], ['MERGED_SAME_PAYLOAD', span('c3')]);
    const o = await overview(N);
    const pair = pairOf(o, 'c1', 'c3');
    assert.deepEqual([pair.rule, pair.fix, pair.checks.rounds, pair.suppressed], ['KEPT_CROSS_ROUND', 'dedupe-cross-round', { pass: false, kept_with: span('c2') }, undefined]);
    assert.equal(pairOf(o, 'c1', 'c2').rule, 'MERGED_SAME_PAYLOAD', 'round 1 is still merged');
    assert.equal(spanOf(o, 'c3').state, 'SPAN_UNMATCHED');
  });

  it('prefers the partner with a shared key over the longer overlap; mutual overlaps are left alone', () => {
    const hook = llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 100, request: chat('q'), response: answer(''), startMeta: { ...HOOK, api_call_id: 'k2' } });
    const round1 = llmSpan({ uuid: uuid(2), parent: P, start: 10, end: 60, request: chat('q'), response: answer(''), startMeta: GATEWAY });
    const round2 = llmSpan({ uuid: uuid(3), parent: P, start: 70, end: 120, request: chat('q'), response: answer(''), startMeta: { ...GATEWAY, llm_correlation_request_id: 'k2' } });
    const c = candidates([...hook, ...round1, ...round2]);
    const decide = (a: number, b: number) => decidePair(c.get(uuid(a))!, c.get(uuid(b))!, DEFAULT);
    const reviewed = separateRounds([decide(1, 2), decide(1, 3), decide(2, 3)], c);
    assert.deepEqual(reviewed.map((p) => p.rule), ['KEPT_CROSS_ROUND', 'MERGED_SAME_PAYLOAD', 'KEPT_NO_OVERLAP']);
    // Three records of one call overlap one another: no pair is kept apart.
    const nested = candidates([...hook, ...llmSpan({ uuid: uuid(4), parent: P, start: 5, end: 90, request: chat('q'), response: answer(''), startMeta: GATEWAY }), ...round1]);
    const all = [[1, 4], [1, 2], [4, 2]].map(([a, b]) => decidePair(nested.get(uuid(a))!, nested.get(uuid(b))!, DEFAULT));
    assert.deepEqual(separateRounds(all, nested), all);
  });
});

describe('dedupe-cross-round: a call retried with the same request', () => {
  // A hook reports one call (its answer and usage); the gateway saw two attempts with the request's
  // key: a long one that failed (a provider error answer), then the quick retry that answered.
  const hook = llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 245, request: chat('q'), response: withUsage(answer('ok'), { prompt_tokens: 100, completion_tokens: 10 }), startMeta: { ...SUMMARY_HOOK('k'), api_request_id: 'k' } });
  const failed = llmSpan({ uuid: uuid(2), parent: P, start: 5, end: 200, request: chat('q'), response: { error: { message: 'upstream timeout', type: 'server_error' } }, startMeta: { ...GATEWAY, llm_correlation_request_id: 'k' } });
  const retry = llmSpan({ uuid: uuid(3), parent: P, start: 205, end: 240, request: chat('q'), response: withUsage(answer('ok'), { prompt_tokens: 100, completion_tokens: 10 }), startMeta: { ...GATEWAY, llm_correlation_request_id: 'k' } });

  it('the hook is the retry that answered, not the failed attempt, however longer that one overlaps it', () => {
    const c = candidates([...hook, ...failed, ...retry]);
    assert.equal(c.get(uuid(2))!.errorAnswer, true);
    assert.equal(c.get(uuid(3))!.errorAnswer, undefined);
    const decide = (a: number, b: number) => decidePair(c.get(uuid(a))!, c.get(uuid(b))!, DEFAULT);
    const [withFailed, withRetry] = [decide(1, 2), decide(1, 3)];
    assert.ok(withFailed.rule.startsWith('MERGED') && withRetry.rule.startsWith('MERGED'), 'both attempts match the hook by their key');
    const reviewed = separateRounds([withFailed, withRetry, decide(2, 3)], c);
    assert.deepEqual(
      reviewed.map((p) => p.rule),
      ['KEPT_CROSS_ROUND', withRetry.rule, 'KEPT_NO_OVERLAP'],
    );
    assert.deepEqual(reviewed[0].checks.rounds, { pass: false, keptWith: uuid(3) });
  });

  it("the call's usage is counted once: the failed attempt takes none", () => {
    const result = runDedupe(sortEvents([...hook, ...failed, ...retry]), DEFAULT);
    assert.deepEqual([...result.suppressed], [uuid(1)], 'the hook span merges into the retry');
    assert.equal(result.supplemental.get(uuid(2)), undefined, 'the error answer gets no usage from the hook');
  });

  it('an error answer still pairs with an error answer: a hook that reports the failure is the failed attempt', () => {
    const failedHook = llmSpan({ uuid: uuid(1), parent: P, start: 0, end: 245, request: chat('q'), response: { error: { message: 'upstream timeout' } }, startMeta: { ...SUMMARY_HOOK('k'), api_request_id: 'k' } });
    const c = candidates([...failedHook, ...failed, ...retry]);
    const decide = (a: number, b: number) => decidePair(c.get(uuid(a))!, c.get(uuid(b))!, DEFAULT);
    const pairs = [decide(1, 2), decide(1, 3), decide(2, 3)];
    const reviewed = separateRounds(pairs, c);
    assert.ok(pairs[0].rule.startsWith('MERGED') && pairs[1].rule.startsWith('MERGED'), 'both attempts match the hook by their key');
    assert.deepEqual(
      reviewed.map((p) => p.rule),
      [pairs[0].rule, 'KEPT_CROSS_ROUND', 'KEPT_NO_OVERLAP'],
    );
  });
});

describe('dedupe-chain-metrics (atif-dedupe.md E1)', () => {
  const N = 'dedupe-chain-metrics';

  it('usage the suppressed gateway took from the summary hook reaches the survivor', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(s0.steps[1].metrics, { prompt_tokens: 12, completion_tokens: 2 });
    assert.deepEqual(d.steps[1].metrics, { prompt_tokens: 12, completion_tokens: 2, cached_tokens: 8 });
    assert.deepEqual(without(d.steps, 'metrics'), without(s0.steps, 'metrics'));
    assert.deepEqual(d.final_metrics, { ...s0.final_metrics, total_cached_tokens: 8 });
  });

  it('explain: no W_METRICS_LOST, the survivor absorbed both, the pair names the fix', async () => {
    const [o0, o] = [await overview(N, '--profile', 'relay-0.3'), await overview(N)];
    assert.ok(spanOf(o0, 'd2').warnings.includes('W_METRICS_LOST'));
    assert.ok(!spanOf(o, 'd2').warnings.includes('W_METRICS_LOST'));
    assert.deepEqual(spanOf(o0, 'd1').absorbed_from, [span('d2')]);
    assert.deepEqual(spanOf(o, 'd1').absorbed_from, [span('d2'), span('d3')]);
    assert.equal(pairOf(o0, 'd2', 'd3').fix, undefined);
    // The fix moved the summary hook's metrics on past the gateway; it did not change this pair's verdict.
    const [seedPair, pair] = [pairOf(o0, 'd2', 'd3'), pairOf(o, 'd2', 'd3')];
    assert.deepEqual([pair.rule, pair.suppressed, pair.canonical], [seedPair.rule, seedPair.suppressed, seedPair.canonical]);
    assert.equal(pair.fix, undefined, 'no [fix] tag: the verdict is the same without the fix');
    assert.deepEqual(pair.metrics_passed_on, { fix: 'dedupe-chain-metrics', to: [span('d1')] });
    assert.equal(seedPair.metrics_passed_on, undefined);
  });

  it('explain describes the metrics movement as what it is, not as a changed decision (text and --span)', async () => {
    const text = (await runCli(['explain', fixture(N), '--session-id', 's', '-q'])).stdout;
    assert.doesNotMatch(text, /\[fix dedupe-chain-metrics\]/);
    assert.match(text, new RegExp(`MERGED_COMPLEMENTARY_CORRELATION_KEY +right suppressed: fidelity 50 vs 30; right's metrics went on via left to ${span('d1')} \\(fix dedupe-chain-metrics, verdict unchanged\\)`));
    const gateway = (await runCli(['explain', fixture(N), '--span', span('d2'), '-q'])).stdout;
    assert.doesNotMatch(gateway, /changed by fix dedupe-chain-metrics/);
    assert.match(gateway, new RegExp(`metrics +→ +the other span's metrics, taken by this span, went on to ${span('d1')} \\(fix dedupe-chain-metrics; the verdict is unchanged\\)`));
    assert.match(gateway, new RegExp(`passed on +metrics absorbed from ${span('d3')} went on to ${span('d1')} \\(fix dedupe-chain-metrics\\)`));
    const json = await runJson<{ metrics: { passed_on: unknown } }>(['explain', fixture(N), '--span', span('d2')]);
    assert.deepEqual(json.metrics.passed_on, { fix: 'dedupe-chain-metrics', to: [span('d1')] });
    const seedJson = await runJson<{ metrics: { passed_on: unknown; lost: unknown } }>(['explain', fixture(N), '--span', span('d2'), '--profile', 'relay-0.3']);
    assert.equal(seedJson.metrics.passed_on, null);
    assert.notEqual(seedJson.metrics.lost, null, 'at the seed they are lost');
  });

  it('passes metrics through every level of a longer chain, own values first', () => {
    // projection (10) < summary hook (30) < gateway (50) < exact hook (100), each suppressed by the next:
    // the projection and the summary hook share key k with each other and with the gateway.
    const spec = (n: number, start: number, request: Json, response: Json, meta: Json) => llmSpan({ uuid: uuid(n), parent: P, start, end: 20 - start, request, response, startMeta: meta, endMeta: meta });
    const events = [
      ...spec(1, 0, chat('q'), answer('a'), EXACT_HOOK),
      ...spec(2, 1, chat('q'), answer('a'), { ...GATEWAY, llm_correlation_request_id: 'k' }),
      ...spec(3, 2, { n: 1 }, { summary: 1, usage: { prompt_tokens: 5, completion_tokens: 1 } }, SUMMARY_HOOK('k')),
      ...spec(4, 3, { n: 1 }, { summary: 1, usage: { prompt_tokens: 9, cached_tokens: 2, cost_usd: 0.5 } }, { projection: true, gateway_path: '/v1', llm_correlation_request_id: 'k' }),
    ];
    const on = runDedupe(sortEvents(events), DEFAULT);
    assert.deepEqual([...on.suppressed].sort(), [uuid(2), uuid(3), uuid(4)]);
    assert.deepEqual(on.supplemental.get(uuid(1)), { prompt_tokens: 5, completion_tokens: 1, cached_tokens: 2, cost_usd: 0.5 });
    assert.deepEqual([...on.supplemental.keys()], [uuid(1)], 'nothing is left in suppressed spans');
    const off = runDedupe(sortEvents(events), optionsOf('relay-0.3'));
    assert.equal(off.supplemental.get(uuid(1)), undefined, 'at the seed the gateway had no usage of its own to give');
  });
});

describe('dedupe-tie-break (atif-dedupe.md E2)', () => {
  const N = 'dedupe-tie-break';

  it('one call recorded twice at equal fidelity keeps one span', async () => {
    const [s0, d] = [await seed(N), await byDefault(N)];
    assert.deepEqual(sources(s0), ['user', 'user', 'agent', 'user', 'agent']);
    assert.deepEqual(d.steps, renumbered(s0.steps.filter((_, i) => i !== 1 && i !== 4)), "exactly the seed without the proxy span's two steps");
    const seedPair = pairOf(await overview(N, '--profile', 'relay-0.3'), 'e1', 'e2');
    assert.equal(seedPair.rule, 'KEPT_EQUAL_FIDELITY');
    const pair = pairOf(await overview(N), 'e1', 'e2');
    assert.deepEqual([pair.rule, pair.canonical, pair.suppressed, pair.fix], ['MERGED_SAME_PAYLOAD', span('e1'), span('e2'), 'dedupe-tie-break']);
    assert.deepEqual(pair.checks.tie_break, { pass: true, fix: 'dedupe-tie-break', kept: 'left', by: 'EARLIER_START' });
    assert.equal(seedPair.checks.tie_break, undefined);
  });

  describe('explain says why the fix left a tie alone (test/fixtures/explain/tie-break-kept.ndjson)', () => {
    // Three ties, one per parent, each the same request and answer at equal fidelity, kept by the fix.
    const KEPT = 'test/fixtures/explain/tie-break-kept.ndjson';
    const cases = [
      {
        what: 'different provider response ids',
        left: 'b1',
        right: 'b2',
        check: { pass: false, fix: 'dedupe-tie-break', reason: 'DISTINCT_RESPONSE_IDS', response_ids: { left: 'chatcmpl-A', right: 'chatcmpl-B' } },
        text: /tie-break +✗ +not broken: the answers carry different provider response ids \(this: chatcmpl-B; other: chatcmpl-A\): two calls with one request \(fix dedupe-tie-break\)/,
        outcome: 'not broken (dedupe-tie-break): provider response ids differ',
      },
      {
        what: 'windows that only touch',
        left: 'c1',
        right: 'c2',
        check: { pass: false, fix: 'dedupe-tie-break', reason: 'WINDOWS_ONLY_TOUCH' },
        text: /tie-break +✗ +not broken: the windows only touch \(one call ending as the next identical one starts is more likely a repeat\) \(fix dedupe-tie-break\)/,
        outcome: 'not broken (dedupe-tie-break): windows only touch',
      },
      {
        what: 'request keys of their own',
        left: 'd1',
        right: 'd2',
        check: { pass: false, fix: 'dedupe-tie-break', reason: 'DISTINCT_KEYS', keys: { left: ['request:r1'], right: ['request:r2'] } },
        text: /tie-break +✗ +not broken: both carry correlation keys of one kind and share none \(this: request:r2; other: request:r1\): two calls \(fix dedupe-tie-break\)/,
        outcome: 'not broken (dedupe-tie-break): correlation keys differ',
      },
    ];
    type SpanJson = { pairs: Array<{ rule: string; fix?: string; checks: { tie_break?: unknown } }> };
    for (const c of cases) {
      it(c.what, async () => {
        // Asked from the right-hand span, so the text's this/other are the recorded right/left.
        const json = await runJson<SpanJson>(['explain', KEPT, '--span', span(c.right)]);
        assert.deepEqual(json.pairs.map((p) => [p.rule, p.fix, p.checks.tie_break]), [['KEPT_EQUAL_FIDELITY', undefined, c.check]]);
        assert.match((await runCli(['explain', KEPT, '--span', span(c.right), '-q'])).stdout, c.text);
        const o = await runJson<OverviewJson>(['explain', KEPT]);
        const row = o.trajectories[0].pairs.find((p) => p.left === span(c.left) && p.right === span(c.right))!;
        assert.deepEqual([row.rule, row.fix, row.checks.tie_break], ['KEPT_EQUAL_FIDELITY', undefined, c.check]);
        assert.match((await runCli(['explain', KEPT, '-q'])).stdout, new RegExp(`KEPT_EQUAL_FIDELITY +same request \\(SAME_PAYLOAD\\) but fidelity ties at 50: both kept; ${c.outcome.replace(/[()]/g, '\\$&')}\n`));
      });
    }

    it('with the fix off (relay-0.3, --no-fix) nothing about it appears', async () => {
      // (The overview's header names `--no-fix dedupe-tie-break`: the profile, not a check.)
      const TIE_BREAK_TEXT = /tie-break +[✓✗]|broken|\(fix dedupe-tie-break\)/;
      for (const flags of [['--profile', 'relay-0.3'], ['--no-fix', 'dedupe-tie-break']]) {
        for (const c of cases) {
          const json = await runJson<SpanJson>(['explain', KEPT, '--span', span(c.right), ...flags]);
          assert.deepEqual(json.pairs.map((p) => [p.rule, p.checks.tie_break]), [['KEPT_EQUAL_FIDELITY', undefined]], flags.join(' '));
          assert.doesNotMatch((await runCli(['explain', KEPT, '--span', span(c.right), '-q', ...flags])).stdout, TIE_BREAK_TEXT, flags.join(' '));
        }
        assert.doesNotMatch((await runCli(['explain', KEPT, '-q', ...flags])).stdout, TIE_BREAK_TEXT, flags.join(' '));
      }
    });
  });

  it('gateway over hook, then the earlier start, then the smaller uuid; never against distinct keys or when only touching', () => {
    const base = { parent: P, request: chat('q'), response: answer('a') };
    const c = candidates([
      ...llmSpan({ ...base, uuid: uuid(1), start: 0, end: 10, startMeta: { hook: 'pre_api_request' } }), // Hermes plugin span: score 50, no markers
      ...llmSpan({ ...base, uuid: uuid(2), start: 2, end: 9, startMeta: GATEWAY }),
      ...llmSpan({ ...base, uuid: uuid(3), start: 0, end: 10, startMeta: { hook: 'x' } }),
      ...llmSpan({ ...base, uuid: uuid(4), start: 0, end: 10, startMeta: { ...EXACT_HOOK, api_call_id: 'c-1' } }),
      ...llmSpan({ ...base, uuid: uuid(5), start: 1, end: 10, startMeta: { ...EXACT_HOOK, api_call_id: 'c-2' } }),
      ...llmSpan({ ...base, uuid: uuid(6), start: 9, end: 20, startMeta: GATEWAY }),
    ]);
    const get = (n: number) => c.get(uuid(n))!;
    assert.deepEqual(tieBreak(get(1), get(2)), { pass: true, kept: 'right', by: 'GATEWAY_ONLY' }, 'the gateway span stays although it started later');
    assert.deepEqual(tieBreak(get(3), get(1)), { pass: true, kept: 'right', by: 'SMALLER_UUID' }, 'same start: the smaller uuid');
    assert.deepEqual(tieBreak(get(4), get(5)), { pass: false, reason: 'DISTINCT_KEYS', keys: { left: ['request:c-1'], right: ['request:c-2'] } }, 'own api_call_ids: two calls');
    assert.deepEqual(tieBreak(get(2), get(6)), { pass: false, reason: 'WINDOWS_ONLY_TOUCH' }, 'touching windows');
    const tied = decidePair(get(4), get(5), DEFAULT);
    assert.deepEqual([tied.rule, tied.fix], ['KEPT_EQUAL_FIDELITY', undefined]);
    assert.deepEqual(tied.checks.tieBreak, tieBreak(get(4), get(5)), 'the tie-break outcome is recorded with the decision');
    assert.equal(decidePair(get(4), get(5), optionsOf('relay-0.3')).checks.tieBreak, undefined, 'without the fix, nothing about it');
    const broken = decidePair(get(1), get(2), DEFAULT);
    assert.deepEqual([broken.rule, broken.canonical, broken.checks.tieBreak], ['MERGED_SAME_PAYLOAD', uuid(2), { pass: true, kept: 'right', by: 'GATEWAY_ONLY' }]);
  });

  it('never between answers with their own provider ids (two calls with one request: a retry, parallel samples); one id, or none on one side, is one call', () => {
    const spanWith = (n: number, start: number, id?: string) =>
      llmSpan({ parent: P, request: chat('2+2?'), response: id === undefined ? answer('4') : ({ ...(answer('4') as object), id } as Json), uuid: uuid(n), start, end: start + 10, startMeta: GATEWAY });
    const c = candidates([...spanWith(1, 0, 'chatcmpl-A'), ...spanWith(2, 1, 'chatcmpl-B'), ...spanWith(3, 2, 'chatcmpl-A'), ...spanWith(4, 3)]);
    const get = (n: number) => c.get(uuid(n))!;
    assert.deepEqual(tieBreak(get(1), get(2)), { pass: false, reason: 'DISTINCT_RESPONSE_IDS', responseIds: { left: 'chatcmpl-A', right: 'chatcmpl-B' } }, 'chatcmpl-A and chatcmpl-B: two answers');
    assert.deepEqual([decidePair(get(1), get(2), DEFAULT).rule, decidePair(get(1), get(2), DEFAULT).fix], ['KEPT_EQUAL_FIDELITY', undefined]);
    assert.deepEqual(tieBreak(get(1), get(3)), { pass: true, kept: 'left', by: 'EARLIER_START' }, 'one answer recorded twice: the earlier start stays');
    assert.deepEqual(tieBreak(get(2), get(4)), { pass: true, kept: 'left', by: 'EARLIER_START' }, 'an answer without an id says nothing either way');
  });
});

describe('explain tags a pair [fix NAME] only when the fix changed its verdict (README: the fix that changed a decision)', () => {
  const inputs = [
    ...readdirSync('test/fixtures/fixes').filter((f) => f.endsWith('.ndjson')).map((f) => `test/fixtures/fixes/${f}`),
    'test/fixtures/explain/chain-and-tie.ndjson',
    'test/fixtures/explain/tie-break-kept.ndjson',
  ];
  const verdict = (p: PairJson | undefined) => p && [p.rule, p.suppressed ?? null, p.canonical ?? null];
  it('every tagged pair of every fixture decides otherwise with that fix off', async () => {
    let tagged = 0;
    for (const input of inputs) {
      const on = await runJson<OverviewJson>(['explain', input, '--session-id', 's']);
      for (const p of on.trajectories.flatMap((t) => t.pairs)) {
        for (const fix of p.fix?.split(', ') ?? []) {
          tagged++;
          const off = await runJson<OverviewJson>(['explain', input, '--session-id', 's', '--no-fix', fix]);
          const same = off.trajectories.flatMap((t) => t.pairs).find((q) => q.left === p.left && q.right === p.right);
          assert.notDeepEqual(verdict(same), verdict(p), `${input}: ${p.left} ${p.right} [fix ${fix}]`);
        }
      }
    }
    assert.ok(tagged >= 3, `the fixtures do tag pairs (${tagged})`);
  });
});

describe('explain --step names the dedupe fix that changed a survivor\'s metrics', () => {
  const fixesOf = async (input: string, step: number, ...flags: string[]) => (await runJson<{ fixes?: string[] }>(['explain', input, '--step', String(step), ...flags])).fixes;

  it('dedupe-chain-metrics: the cached tokens the chain passed on', async () => {
    // d1's agent step has d3's 8 cached tokens only through d2 (the fix); d2's own 12 / 2 are the seed's merge.
    const chain = fixture('dedupe-chain-metrics');
    assert.deepEqual(await fixesOf(chain, 2), ['dedupe-chain-metrics']);
    assert.equal(await fixesOf(chain, 2, '--no-fix', 'dedupe-chain-metrics'), undefined);
    assert.equal(await fixesOf(chain, 2, '--profile', 'relay-0.3'), undefined);
  });

  it('dedupe-tie-break: the usage of the tied twin it suppressed', async () => {
    // Two identical gateway captures of one call (a tie, 50 / 50); only the later one has usage. The
    // fix keeps the earlier and gives it the later one's usage; relay-0.3 keeps both, the usage on its own step.
    const line = (u: string, phase: string, ms: number, data: Json) =>
      JSON.stringify({ kind: 'scope', atof_version: '0.1', uuid: span(u), parent_uuid: P, timestamp: `2026-01-01T00:00:00.00${ms}Z`, name: `gw-${u}`, scope_category: phase, category: 'llm', attributes: [], data, metadata: GATEWAY });
    const dir = mkdtempSync(join(tmpdir(), 'relay-tie-metrics-'));
    const input = join(dir, 'tie.ndjson');
    writeFileSync(input, [line('f1', 'start', 0, chat('tie')), line('f2', 'start', 1, chat('tie')), line('f2', 'end', 2, withUsage(answer('same'), { prompt_tokens: 4, completion_tokens: 1 })), line('f1', 'end', 3, answer('same'))].join('\n') + '\n');
    try {
      assert.deepEqual(await fixesOf(input, 2), ['dedupe-tie-break']);
      assert.equal(await fixesOf(input, 2, '--no-fix', 'dedupe-tie-break'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- the sweep decides exactly like the all-pairs oracle, under every profile ----------------

/** All pairs, quadratic, in evaluation order; then the same multi-pair review and fold. */
function oracle(events: AtofEvent[], opts: DedupeOptions): DedupeResult {
  const spans = collectLlmSpans(events, opts);
  const cands = spans.flatMap((s) => (s.candidate ? [s.candidate] : []));
  const all: Array<[SpanCandidate, SpanCandidate]> = [];
  for (let i = 0; i < cands.length; i++) for (let j = i + 1; j < cands.length; j++) all.push([cands[i], cands[j]].sort(compareCandidates) as [SpanCandidate, SpanCandidate]);
  all.sort((a, b) => compareCandidates(a[0], b[0]) || compareCandidates(a[1], b[1]));
  return summarize(spans, reviewPairs(all.map(([l, r]) => decidePair(l, r, opts)), cands, opts), true, opts);
}

const matched = (pairs: PairDecision[]) => pairs.filter((p) => p.basis !== undefined || p.rule === 'KEPT_CROSS_ROUND');
const metricsOf = (r: DedupeResult) => canonicalJson(Object.fromEntries([...r.supplemental].sort(([a], [b]) => (a < b ? -1 : 1))) as unknown as Json);

describe('property: sweep = all-pairs oracle', () => {
  const profiles: Array<[string, DedupeOptions]> = [
    ['relay-0.3', optionsOf('relay-0.3')],
    ['default', DEFAULT],
    ...(['signature-tool-calls', 'anthropic-tool-use', 'dedupe-cross-round', 'dedupe-chain-metrics', 'dedupe-tie-break'] as const).map(
      (f): [string, DedupeOptions] => [`relay-0.3 + ${f}`, optionsOf('relay-0.3', [f])],
    ),
  ];
  const responses: Json[] = [
    answer('a1'),
    withUsage(answer('a1'), { prompt_tokens: 3 }),
    withUsage(answer('a1'), { completion_tokens: 2, cached_tokens: 1 }),
    answer(''),
    toolOnly('x', 'read'),
    toolOnly('y', 'write'),
    { type: 'message', content: [{ type: 'tool_use', id: 't', name: 'read', input: {} }], usage: { input_tokens: 4 } },
  ];
  const metas: Json[] = [HOOK, EXACT_HOOK, GATEWAY, { hook: 'plugin' }, SUMMARY_HOOK('k1'), SUMMARY_HOOK('k2'), { ...GATEWAY, llm_correlation_request_id: 'k1' }, null, { projection: true }];
  const spanArb = fc.record({
    parent: fc.constantFrom(P, uuid(98), undefined),
    start: fc.integer({ min: 0, max: 40 }),
    len: fc.integer({ min: -3, max: 25 }),
    model: fc.constantFrom(undefined, 'm1', 'm2'),
    req: fc.constantFrom('q1', 'q2'),
    resp: fc.constantFrom(...responses.keys()),
    meta: fc.constantFrom(...metas.keys()),
  });
  for (const [name, opts] of profiles) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(spanArb, { maxLength: 12 }), (specs) => {
          const events = sortEvents(
            specs.flatMap((s, i) =>
              llmSpan({ uuid: uuid(i + 1), parent: s.parent, start: s.start, end: s.start + s.len, model: s.model, request: chat(s.req), response: responses[s.resp], startMeta: metas[s.meta] ?? undefined }),
            ),
          );
          const swept = runDedupe(events, opts);
          const naive = oracle(events, opts);
          assert.deepEqual([...swept.suppressed].sort(), [...naive.suppressed].sort());
          assert.equal(metricsOf(swept), metricsOf(naive));
          // The pass records exactly the oracle's matched decisions (the rest are decided by their two spans alone).
          assert.deepEqual(swept.pairs, matched(naive.pairs));
          assert.deepEqual(swept.spans.map((s) => [s.span.uuid, s.state, s.warnings]), naive.spans.map((s) => [s.span.uuid, s.state, s.warnings]));
        }),
        { numRuns: 200, seed: 20261126 },
      );
    });
  }
});
