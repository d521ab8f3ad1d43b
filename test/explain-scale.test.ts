/**
 * explain on long sessions: every pair of LLM spans under one parent gets past the parent check, so a
 * session of n calls has n(n-1)/2 pairs. The per-rule counts are computed without listing them, the
 * overview lists them only up to MAX_LISTED_PAIRS, and `--span` looks at one span's pairs only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DedupeResult } from '../src/dedupe/pass.js';
import { agentStepsBySpan, producedSteps, stepsOfSpan } from '../src/explain/produced.js';
import { MAX_LISTED_PAIRS, PAIR_RULES, sameParentPairs, sameParentRuleCounts } from '../src/explain/pairs.js';
import { resolveFixes } from '../src/profiles/fixes.js';
import { convertEvents } from '../src/pipeline/stream.js';
import { runCli, runJson } from './support/cli.js';
import { llmSpan, P, readNdjsonEvents, uuid } from './support/events.js';
import { conformanceCases } from './support/shared.js';

const AGENT = { name: 'a', version: '1' };

/** The oracle: the rules of every listed same-parent pair, tallied in the §3.2 order. */
function tally(dedupe: DedupeResult): Record<string, number> {
  const pairs = sameParentPairs(dedupe);
  const counts: Record<string, number> = {};
  for (const rule of PAIR_RULES) {
    const n = pairs.filter((p) => p.rule === rule).length;
    if (n > 0) counts[rule] = n;
  }
  return counts;
}

function dedupeResults(events: ReturnType<typeof readNdjsonEvents>, profile: 'default' | 'relay-0.3'): DedupeResult[] {
  return convertEvents(events, { agent: AGENT, fixes: resolveFixes(profile), observedEvents: false, dedupe: true }).trajectories.map((t) => t.result.dedupe);
}

describe('pair counts without listing the pairs', () => {
  it('equal the tally of every same-parent pair, and one span\'s pairs are those of the full list that name it (conformance inputs, both profiles)', () => {
    let checked = 0;
    for (const c of conformanceCases()) {
      const events = readNdjsonEvents(join(c.dir, 'input.ndjson'));
      for (const profile of ['default', 'relay-0.3'] as const) {
        for (const dedupe of dedupeResults(events, profile)) {
          assert.deepEqual(sameParentRuleCounts(dedupe), tally(dedupe), `${c.name} (${profile})`);
          const all = sameParentPairs(dedupe);
          assert.equal(Object.values(sameParentRuleCounts(dedupe)).reduce((a, b) => a + b, 0), all.length, c.name);
          for (const o of dedupe.spans) {
            const mine = all.filter((p) => p.left === o.span.uuid || p.right === o.span.uuid);
            assert.deepEqual(sameParentPairs(dedupe, o.span.uuid), o.span.candidate ? mine : [], `${c.name}: ${o.span.uuid}`);
          }
          checked++;
        }
      }
    }
    if (conformanceCases().length > 0) assert.ok(checked >= 250);
  });

  it('count pairs of different models apart from pairs that do not overlap, a span without a model matching any', () => {
    // Under one parent, sequential: a, b on model m1, c on m2, d with no model; e overlaps a (same model, same payload).
    const spans = [
      { n: 0xa1, start: 0, end: 10, model: 'm1' },
      { n: 0xa2, start: 20, end: 30, model: 'm1' },
      { n: 0xa3, start: 40, end: 50, model: 'm2' },
      { n: 0xa4, start: 60, end: 70 },
      { n: 0xa5, start: 5, end: 12, model: 'm1' },
    ].flatMap((s) => llmSpan({ uuid: uuid(s.n), parent: P, start: s.start, end: s.end, model: s.model, request: { messages: [{ role: 'user', content: 'hi' }] }, response: { content: 'ok' } }));
    const [dedupe] = dedupeResults(spans, 'default');
    // 10 pairs: a–e merge (same payload); model mismatches: c with a, b, e (3); the other 6 do not overlap.
    assert.deepEqual(sameParentRuleCounts(dedupe), { KEPT_MODEL_MISMATCH: 3, KEPT_NO_OVERLAP: 6, MERGED_SAME_PAYLOAD: 1 });
    assert.deepEqual(sameParentRuleCounts(dedupe), tally(dedupe));
  });
});

describe('indexes that replace a scan per span', () => {
  it('agentStepsBySpan finds for every span the agent step a scan of the produced steps finds (conformance inputs)', () => {
    let spans = 0;
    for (const c of conformanceCases()) {
      const events = readNdjsonEvents(join(c.dir, 'input.ndjson'));
      for (const t of convertEvents(events, { agent: AGENT, fixes: resolveFixes('default'), observedEvents: false, dedupe: false }).trajectories) {
        const produced = producedSteps(t);
        const index = agentStepsBySpan(produced);
        for (const o of t.result.dedupe.spans) {
          assert.equal(index.get(o.span.uuid), stepsOfSpan(produced, o.span.uuid).find((p) => p.origin?.kind === 'llm-end'), `${c.name}: ${o.span.uuid}`);
          spans++;
        }
      }
    }
    if (conformanceCases().length > 0) assert.ok(spans > 100);
  });
});

describe('explain on a session with more pairs than the overview lists', () => {
  // Sequential calls under one agent, every third one seen by both a hook and the gateway (they overlap).
  const n = Math.ceil(Math.sqrt(2 * MAX_LISTED_PAIRS)) + 2;
  const lines: string[] = [];
  const line = (o: Record<string, unknown>) => lines.push(JSON.stringify({ atof_version: '0.1', kind: 'scope', ...o }));
  const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  line({ category: 'agent', scope_category: 'start', uuid: P, name: 'agent', timestamp: t(0) });
  for (let i = 0; i < n; i++) {
    const body = { messages: [{ role: 'user', content: `q${i}` }] };
    const copies = i % 3 === 0 ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      const span = { category: 'llm', uuid: uuid(0x1000 + 2 * i + k), parent_uuid: P, name: 'openai.chat_completions' };
      line({ ...span, scope_category: 'start', timestamp: t(100 * i + 1 + k), data: body });
      line({ ...span, scope_category: 'end', timestamp: t(100 * i + 50 - k), data: { content: `a${i}` } });
    }
  }
  line({ category: 'agent', scope_category: 'end', uuid: P, name: 'agent', timestamp: t(100 * n + 10) });
  const dir = mkdtempSync(join(tmpdir(), 'relay-explain-scale-'));
  const input = join(dir, 'long.ndjson');
  writeFileSync(input, lines.join('\n') + '\n');
  const spans = n + Math.ceil(n / 3);
  const total = (spans * (spans - 1)) / 2;
  const overlapping = Math.ceil(n / 3);

  it('lists only the pairs that matched, says how many are left out, and still counts every pair per rule', async () => {
    assert.ok(total > MAX_LISTED_PAIRS);
    const r = await runJson<{ trajectories: Array<{ pairs: Array<{ rule: string }>; unlisted_pairs?: number; rule_counts: Record<string, number> }> }>(['explain', input]);
    const [o] = r.trajectories;
    assert.equal(o.pairs.length, overlapping);
    assert.deepEqual(new Set(o.pairs.map((p) => p.rule)), new Set(['MERGED_SAME_PAYLOAD']));
    assert.equal(o.unlisted_pairs, total - overlapping);
    assert.deepEqual(o.rule_counts, { KEPT_NO_OVERLAP: total - overlapping, MERGED_SAME_PAYLOAD: overlapping });
    const human = await runCli(['explain', input, '-q', '--no-color']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`Pairs past the parent check \\(${total}, in evaluation order\\) — too many to list: only the ${overlapping} that matched; the other ${total - overlapping} are counted per rule below`));
    assert.match(human.stdout, new RegExp(`KEPT_NO_OVERLAP +${total - overlapping}\\n`));
  });

  it('--span still decides the span against every other candidate under its parent', async () => {
    const r = await runJson<{ pairs: Array<{ other: string; rule: string }> }>(['explain', input, '--span', uuid(0x1000)]);
    assert.equal(r.pairs.length, spans - 1);
    assert.deepEqual(r.pairs[0], { ...r.pairs[0], other: uuid(0x1001), rule: 'MERGED_SAME_PAYLOAD' });
    assert.equal(r.pairs.filter((p) => p.rule === 'KEPT_NO_OVERLAP').length, spans - 2);
  });

  it('a session small enough is listed pair by pair, as before', async () => {
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, lines.slice(0, 1 + 12).join('\n') + '\n');
    const r = await runJson<{ trajectories: Array<{ pairs: unknown[]; unlisted_pairs?: number; rule_counts: Record<string, number> }> }>(['explain', small]);
    const [o] = r.trajectories;
    assert.equal(o.unlisted_pairs, undefined);
    assert.equal(o.pairs.length, Object.values(o.rule_counts).reduce((a, b) => a + b, 0));
  });
});

describe('explain on a burst of identical calls with more matched pairs than the overview lists', () => {
  // k calls with the same request and answer, all in flight at once under one agent: every pair matches.
  const k = Math.ceil(Math.sqrt(2 * MAX_LISTED_PAIRS)) + 2;
  const total = (k * (k - 1)) / 2;
  const lines: string[] = [];
  const line = (o: Record<string, unknown>) => lines.push(JSON.stringify({ atof_version: '0.1', kind: 'scope', ...o }));
  const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const span = (i: number) => ({ category: 'llm', uuid: uuid(0x2000 + i), parent_uuid: P, name: 'openai.chat_completions' });
  line({ category: 'agent', scope_category: 'start', uuid: P, name: 'agent', timestamp: t(0) });
  for (let i = 0; i < k; i++) line({ ...span(i), scope_category: 'start', timestamp: t(1 + i), data: { messages: [{ role: 'user', content: 'same' }] } });
  for (let i = 0; i < k; i++) line({ ...span(i), scope_category: 'end', timestamp: t(1000 + i), data: { content: 'same answer' } });
  line({ category: 'agent', scope_category: 'end', uuid: P, name: 'agent', timestamp: t(5000) });
  const input = join(mkdtempSync(join(tmpdir(), 'relay-explain-burst-')), 'burst.ndjson');
  writeFileSync(input, lines.join('\n') + '\n');

  type Overview = { pairs: Array<{ left: string; right: string; rule: string }>; unlisted_pairs?: number; unlisted_matched_pairs?: number; rule_counts: Record<string, number> };

  it('lists the first matched pairs up to the limit, in evaluation order, and counts every pair per rule', async () => {
    assert.ok(total > MAX_LISTED_PAIRS);
    const r = await runJson<{ trajectories: Overview[] }>(['explain', input, '--profile', 'relay-0.3']);
    const [o] = r.trajectories;
    assert.equal(o.pairs.length, MAX_LISTED_PAIRS);
    assert.equal(o.unlisted_pairs, total - MAX_LISTED_PAIRS);
    assert.equal(o.unlisted_matched_pairs, total - MAX_LISTED_PAIRS);
    assert.deepEqual(o.rule_counts, { KEPT_EQUAL_FIDELITY: total });
    // Evaluation order here is start order: span 0 with every later one, then span 1, and so on.
    const expected: string[] = [];
    for (let i = 0; i < k && expected.length < MAX_LISTED_PAIRS; i++) for (let j = i + 1; j < k && expected.length < MAX_LISTED_PAIRS; j++) expected.push(`${uuid(0x2000 + i)} ${uuid(0x2000 + j)}`);
    assert.deepEqual(o.pairs.map((p) => `${p.left} ${p.right}`), expected);
    const human = await runCli(['explain', input, '--profile', 'relay-0.3', '-q', '--no-color']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`Pairs past the parent check \\(${total}, in evaluation order\\) — too many to list: only the first ${MAX_LISTED_PAIRS} of the ${total} that matched \\(explain --span lists any span's\\); the other ${total - MAX_LISTED_PAIRS} are counted per rule below`),
    );
  });

  it('--span still lists every pair of one span', async () => {
    const r = await runJson<{ pairs: Array<{ other: string; rule: string }> }>(['explain', input, '--profile', 'relay-0.3', '--span', uuid(0x2000 + k - 1)]);
    assert.equal(r.pairs.length, k - 1);
    assert.ok(r.pairs.every((p) => p.rule === 'KEPT_EQUAL_FIDELITY'));
  });
});
