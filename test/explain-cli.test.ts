import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES, ROOT, runCli, runJson } from './support/cli.js';
import { at } from './support/events.js';

const MERGE = 'test/fixtures/explain/merge-and-tools.ndjson';
const CHAIN = 'test/fixtures/explain/chain-and-tie.ndjson';
const u = (tail: string) => `01970000-0000-7000-8000-${tail.padStart(12, '0')}`;
const ANSI = /\x1b\[/;

interface SpanJson {
  span: string;
  state: string;
  eligibility: string;
  pairs: Array<{ other: string; side: string; rule: string; basis?: string; checks: Record<string, any> }>;
  metrics: { end: unknown; supplemental: unknown; absorbed_from: string[]; given_to: string[]; lost: unknown };
  warnings: string[];
  steps: Array<{ step_id: number; source: string }>;
  facts: Record<string, any> | null;
}

describe('explain: overview', () => {
  it('lists every span with its source and state, every pair past the parent check, and a count per rule', async () => {
    // relay-0.3: the chain loses metrics and the tie keeps both spans (the default profile fixes both, test/fixes-dedupe.test.ts).
    const r = await runJson<{ profile: string; trajectories: any[] }>(['explain', CHAIN, '--session-id', 's', '--profile', 'relay-0.3']);
    assert.equal(r.profile, 'relay-0.3');
    const [t] = r.trajectories;
    assert.equal(t.session_id, 's');
    const state = Object.fromEntries(t.spans.map((s: any) => [s.span, s.state]));
    assert.deepEqual(state, {
      [u('e1')]: 'SPAN_SURVIVOR',
      [u('e2')]: 'SPAN_SUPPRESSED',
      [u('e3')]: 'SPAN_SUPPRESSED',
      [u('e4')]: 'SPAN_UNMATCHED',
      [u('e5')]: 'SPAN_UNMATCHED',
      [u('e6')]: 'SPAN_UNMATCHED',
      [u('f1')]: 'SPAN_KEPT_TIED',
      [u('f2')]: 'SPAN_KEPT_TIED',
    });
    // The root-level span (no parent) is in no pair; the two parents give 10 + 1 pairs.
    assert.equal(t.pairs.length, 11);
    assert.ok(t.pairs.every((p: any) => p.left !== u('e6') && p.right !== u('e6')));
    assert.deepEqual(t.rule_counts, {
      KEPT_MODEL_MISMATCH: 3,
      KEPT_NO_OVERLAP: 4,
      KEPT_NOT_COMPLEMENTARY: 1,
      KEPT_EQUAL_FIDELITY: 1,
      MERGED_SAME_PAYLOAD: 1,
      MERGED_COMPLEMENTARY_CORRELATION_KEY: 1,
    });
    const e2 = t.spans.find((s: any) => s.span === u('e2'));
    assert.deepEqual(e2.warnings, ['W_MULTI_MATCH', 'W_METRICS_LOST']);
    assert.equal(e2.window.start, '2026-01-01T00:00:00.001+00:00');
    assert.equal(e2.window.duration_ns, '8000000');
    // The interleaved tie: the agent step of the span that ended first lost its extra.
    assert.deepEqual(t.spans.find((s: any) => s.span === u('f2')).warnings, ['W_EXTRA_DROPPED_INTERLEAVED']);
  });

  it('lists spans that never were candidates with their reason', async () => {
    const r = await runJson<{ trajectories: any[] }>(['explain', MERGE]);
    const failed = r.trajectories[0].spans.find((s: any) => s.span === u('c1'));
    assert.equal(failed.eligibility, 'NOT_CANDIDATE_END_NO_DATA');
    assert.equal(failed.state, 'SPAN_NOT_CANDIDATE');
    const human = await runCli(['explain', MERGE, '-q']);
    assert.match(human.stdout, /Not candidates \(1\)[^\n]*\n\s+01970000-0000-7000-8000-0000000000c\s+openai\.chat_completions\s+NOT_CANDIDATE_END_NO_DATA/);
  });

  it('a short id printed for a trajectory that closed early still accounts for the spans read after it', async () => {
    // Two trajectories, the first closed before the second opens; their spans share all but the last character.
    const line = (o: Record<string, unknown>) => JSON.stringify({ kind: 'scope', atof_version: '0.1', attributes: [], category_profile: {}, metadata: null, data: null, ...o });
    const trajectory = (root: string, span: string, t: number) => [
      line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'start', timestamp: at(t), data: { prompt: 'go' } }),
      line({ uuid: span, parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'start', timestamp: at(t + 1), data: { messages: [{ role: 'user', content: 'hi' }] } }),
      line({ uuid: span, parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'end', timestamp: at(t + 2), data: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } }),
      line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'end', timestamp: at(t + 3) }),
    ];
    const [first, second] = ['01950000-1111-7000-8000-00000000aaa1', '01950000-1111-7000-8000-00000000aaa2'];
    const input = join(mkdtempSync(join(tmpdir(), 'relay-explain-short-')), 'two.ndjson');
    writeFileSync(input, [...trajectory('01950000-0000-7000-8000-000000000001', first, 0), ...trajectory('01950000-0000-7000-8000-000000000002', second, 10)].join('\n') + '\n');
    const r = await runJson<{ trajectories: any[] }>(['explain', input]);
    assert.deepEqual(r.trajectories.map((t) => t.spans.map((s: any) => s.short)), [[first], [second]], 'unique among every span of the input: each in full');
    const human = await runCli(['explain', input, '-q']);
    // The first part's table is as wide as the full id, its header padded to match.
    assert.match(human.stdout, /LLM span candidates \(1\)\n {2}span {34}name {2}.*\n {2}01950000-1111-7000-8000-00000000aaa1 {2}llm {3}/);
    assert.doesNotMatch(human.stdout, /<</, 'no marker is left');
  });

  it('--trajectory takes a prefix of one id (any case, hyphens optional), as --span does: for the overview and --step, in one thread or with workers', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify({ kind: 'scope', atof_version: '0.1', attributes: [], category_profile: {}, metadata: null, data: null, ...o });
    const trajectory = (root: string, prompt: string, t: number) => [
      line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'start', timestamp: at(t), data: { prompt } }),
      line({ uuid: root.replace("-8000-", "-9000-"), parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'start', timestamp: at(t + 1), data: { messages: [{ role: 'user', content: prompt }] } }),
      line({ uuid: root.replace("-8000-", "-9000-"), parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'end', timestamp: at(t + 2), data: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } }),
      line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'end', timestamp: at(t + 3) }),
    ];
    const [a, b, c] = ['01950000-0000-7000-8000-0000000000a1', '01950000-0000-7000-8000-0000000000b1', '01950000-0000-7000-8000-0000000000b2'];
    const input = join(mkdtempSync(join(tmpdir(), 'relay-explain-prefix-')), 'three.ndjson');
    writeFileSync(input, [...trajectory(a, 'first', 0), ...trajectory(b, 'second', 10), ...trajectory(c, 'third', 20)].join('\n') + '\n');
    // The env setting starts workers at once: the lookup is the same wherever the parts are made.
    for (const jobs of ['1', '2']) {
      const env = { RELAY_ATIF_JOBS_AFTER_BYTES: '1' };
      const json = async (args: string[]) => {
        const r = await runCli([...args, '--jobs', jobs, '--json', '-q'], { env });
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout);
      };
      for (const query of ['01950000-0000-7000-8000-0000000000a', '019500000000700080000000000000A1']) {
        const overview = await json(['explain', input, '--trajectory', query]);
        assert.deepEqual(overview.trajectories.map((t: { session_id: string }) => t.session_id), [a], `${query}, --jobs ${jobs}`);
        const step = await json(['explain', input, '--trajectory', query, '--step', '1']);
        assert.deepEqual([step.trajectory_id, step.step_id, step.source], [a, 1, 'user']);
      }
      for (const args of [['--step', '1'], []]) {
        const ambiguous = await runCli(['explain', input, '--trajectory', '01950000-0000-7000-8000-0000000000b', ...args, '--jobs', jobs, '-q'], { env });
        assert.equal(ambiguous.code, 2);
        assert.equal(ambiguous.stderr, `relay-atif: trajectory '01950000-0000-7000-8000-0000000000b' is ambiguous; it begins these trajectory ids:\n  ${b}\n  ${c}\n`);
      }
    }
  });

  it('--trajectory limits the overview; an unknown one is exit 2 with the known ids', async () => {
    const ok = await runJson<{ trajectories: any[] }>(['explain', MERGE, '--trajectory', 'unscoped']);
    assert.equal(ok.trajectories.length, 1);
    const bad = await runCli(['explain', MERGE, '--trajectory', 'nope', '-q']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no trajectory 'nope'; the trajectories are:\n {2}unscoped/);
  });
});

describe('explain --span', () => {
  it('shows a decision against every candidate under the same parent, overlapping or not, in evaluation order', async () => {
    const r = await runJson<SpanJson>(['explain', CHAIN, '--span', u('e2')]);
    assert.deepEqual(r.pairs.map((p) => [p.other, p.side, p.rule]), [
      [u('e1'), 'right', 'MERGED_SAME_PAYLOAD'],
      [u('e3'), 'left', 'MERGED_COMPLEMENTARY_CORRELATION_KEY'],
      [u('e4'), 'left', 'KEPT_MODEL_MISMATCH'],
      [u('e5'), 'left', 'KEPT_NO_OVERLAP'],
    ]);
    const [, key, model, overlap] = r.pairs.map((p) => p.checks);
    assert.deepEqual(key.evidence, { request_signature: false, shared_keys: ['request:k'], left_keys: ['request:k'], right_keys: ['request:k'] });
    assert.deepEqual(key.complementary, { pass: true, hook_side: 'right', left: { hook: false, gateway: true, non_exact: false }, right: { hook: true, gateway: false, non_exact: true } });
    assert.deepEqual(model.model, { pass: false, left: 'm1', right: 'm2' });
    assert.equal(model.overlap, undefined, 'predicates after the failing one were not reached');
    assert.deepEqual(overlap.overlap, { pass: false, gap_ns: '21000000', touching: false });
  });

  it('reports the facts with the branch, key origin and marker key that produced each', async () => {
    const r = await runJson<SpanJson>(['explain', CHAIN, '--span', u('e3')]);
    const f = r.facts!;
    assert.deepEqual(f.request, { branch: 'REQ_WHOLE_BODY', signature: '"{\\"message_count\\":1}"' });
    assert.deepEqual(f.keys, [{ key: 'request:k', origins: [{ event: 'start', source: 'metadata', path: 'api_call_id' }, { event: 'end', source: 'metadata', path: 'api_call_id' }] }]);
    assert.deepEqual(f.markers.non_exact, { event: 'start', key: 'provider_payload_exact' });
    assert.deepEqual(f.fidelity.start, { rule: 'FIDELITY_NON_EXACT', score: 30 });
    assert.deepEqual(f.model, { name: 'm1', from: 'start' });
  });

  it('shows metrics absorbed by a survivor, and metrics lost in a suppressed span', async () => {
    const survivor = await runJson<SpanJson>(['explain', CHAIN, '--span', u('e1'), '--profile', 'relay-0.3']);
    assert.equal(survivor.state, 'SPAN_SURVIVOR');
    assert.deepEqual(survivor.metrics.absorbed_from, [u('e2')]);
    assert.deepEqual(survivor.metrics.supplemental, { prompt_tokens: 3, completion_tokens: 1 });
    assert.deepEqual(survivor.steps, [{ trajectory_id: 'unscoped', step_id: 1, source: 'user' }, { trajectory_id: 'unscoped', step_id: 2, source: 'agent' }]);
    const chained = await runJson<SpanJson>(['explain', CHAIN, '--span', u('e2'), '--profile', 'relay-0.3']);
    assert.deepEqual(chained.metrics.given_to, [u('e1')]);
    assert.deepEqual(chained.metrics.lost, { prompt_tokens: 9, completion_tokens: 9, cached_tokens: 4 });
    assert.deepEqual(chained.steps, []);
  });

  it('a span whose metrics went to a span suppressed in its turn says where they ended: lost, or passed on', async () => {
    // e3 gives its usage to e2, which e1 suppresses: relay-0.3 loses it at e2 (W_METRICS_LOST), the
    // default passes it on to e1 (dedupe-chain-metrics). e3's report said "went to e2" either way.
    const given = async (...flags: string[]) => (await runJson<any>(['explain', CHAIN, '--span', u('e3'), ...flags])).metrics;
    const seed = await given('--profile', 'relay-0.3');
    assert.deepEqual([seed.given_to, seed.given_on], [[u('e2')], [{ via: u('e2'), to: [] }]]);
    const fixed = await given();
    assert.deepEqual([fixed.given_to, fixed.given_on], [[u('e2')], [{ via: u('e2'), to: [u('e1')], fix: 'dedupe-chain-metrics' }]]);
    const text = (await runCli(['explain', CHAIN, '--span', u('e3'), '--profile', 'relay-0.3', '--no-color', '-q'])).stdout;
    assert.match(text, /\S+e2 is suppressed itself: they reach no step \(W_METRICS_LOST on it\)/);
    // A span given to a survivor has no such note.
    assert.equal((await runJson<any>(['explain', CHAIN, '--span', u('e2')])).metrics.given_on, undefined);
  });

  it('names overlapping candidates under another parent, which are never merged (KEPT_PARENT_MISMATCH)', async () => {
    const input = join(CASES, 'gen-dd-g07-identical-across-subagents', 'input.ndjson');
    const r = await runJson<SpanJson & { other_parents: SpanJson['pairs'] }>(['explain', input, '--span', '019ebbf7-d1bb-707f']);
    assert.deepEqual(r.pairs, []);
    assert.deepEqual(
      r.other_parents.map((p) => [p.other, p.rule, p.checks.parent]),
      [['019ebbf7-d1bb-7fe7-8c94-5a660900000a', 'KEPT_PARENT_MISMATCH', { pass: false, left: '019ebbf7-d1bb-7e4c-bb8f-5a6609000007', right: '019ebbf7-d1bb-7935-87ae-5a6609000008' }]],
    );
  });

  it('explains a span that never was a candidate', async () => {
    const r = await runJson<SpanJson>(['explain', MERGE, '--span', u('c1')]);
    assert.equal(r.state, 'SPAN_NOT_CANDIDATE');
    assert.equal(r.eligibility, 'NOT_CANDIDATE_END_NO_DATA');
    assert.equal(r.facts, null);
    assert.deepEqual(r.pairs, []);
  });

  it('accepts the short form the overview prints (a unique prefix), and ids without hyphens', async () => {
    const overview = await runJson<{ trajectories: any[] }>(['explain', MERGE]);
    for (const row of overview.trajectories[0].spans) {
      assert.ok(row.short.length < row.span.length, 'the short form is shorter here');
      assert.equal((await runJson<SpanJson>(['explain', MERGE, '--span', row.short])).span, row.span);
    }
    const r = await runJson<SpanJson>(['explain', CHAIN, '--span', '019700000000700080000000000000e3']);
    assert.equal(r.span, u('e3'));
  });

  it('an ambiguous prefix is exit 2 listing the candidates', async () => {
    const r = await runCli(['explain', CHAIN, '--span', '01970000-0000-7000-8000-0000000000f', '-q']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /span '01970000-0000-7000-8000-0000000000f' is ambiguous; it matches:\n {2}01970000-0000-7000-8000-0000000000f1 {2}llm gateway-a \(unscoped\)\n {2}01970000-0000-7000-8000-0000000000f2 {2}llm gateway-b/);
  });

  it('an ambiguous prefix of many spans lists the first 20 and counts the rest, as an unknown id does', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify({ kind: 'scope', atof_version: '0.1', attributes: [], category_profile: {}, metadata: null, data: null, ...o });
    const root = '01960000-0000-7000-8000-000000000000';
    const span = (i: number) => `01960000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    const lines = [line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'start', timestamp: at(0), data: { prompt: 'go' } })];
    for (let i = 1; i <= 25; i++) {
      lines.push(line({ uuid: span(i), parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'start', timestamp: at(i * 10), data: { messages: [{ role: 'user', content: `q${i}` }] } }));
      lines.push(line({ uuid: span(i), parent_uuid: root, category: 'llm', name: 'llm', scope_category: 'end', timestamp: at(i * 10 + 1), data: { choices: [{ message: { role: 'assistant', content: 'ok' } }] } }));
    }
    lines.push(line({ uuid: root, parent_uuid: null, category: 'agent', name: 'agent', scope_category: 'end', timestamp: at(300) }));
    const input = join(mkdtempSync(join(tmpdir(), 'relay-atif-ambiguous-')), 'many.ndjson');
    writeFileSync(input, lines.join('\n') + '\n');
    const listed = (stderr: string) => stderr.split('\n').filter((l) => /^ {2}01960000-/.test(l)).length;
    const ambiguous = await runCli(['explain', input, '--span', '01960000-0000-7000-8000-0000000000', '-q']);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /is ambiguous; it matches:\n/);
    assert.equal(listed(ambiguous.stderr), 20);
    assert.match(ambiguous.stderr, /\n {2}… 5 more \(relay-atif explain lists them all\)\n/);
    const unknown = await runCli(['explain', input, '--span', 'ffff', '-q']);
    assert.equal(listed(unknown.stderr), 20);
    assert.match(unknown.stderr, /\n {2}… 5 more \(relay-atif explain lists them all\)\n/);
  });

  it('an unknown id is exit 2 listing the known spans', async () => {
    const r = await runCli(['explain', MERGE, '--span', 'ffff', '-q']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no LLM or tool span matches 'ffff'; known spans:\n/);
    assert.match(r.stderr, /01970000-0000-7000-8000-0000000000d1 {2}tool ls \(unscoped\)/);
  });

  it('--trajectory with --span or --request is exit 2 (they look in every trajectory), whether or not the trajectory exists', async () => {
    for (const [lookup, id] of [['--span', '01972d4e-8a00-7000-8000-000000000004'], ['--request', 'cap-h1']]) {
      for (const trajectory of ['nope', 'unscoped']) {
        const r = await runCli(['explain', 'samples/', lookup, id, '--trajectory', trajectory, '-q']);
        assert.equal(r.code, 2, `${lookup} --trajectory ${trajectory}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, new RegExp(`--trajectory goes with --step or the overview, not with ${lookup}`));
      }
    }
  });

  it('for a tool span: the correlation rule and where the result went', async () => {
    const attached = await runJson<any>(['explain', MERGE, '--span', u('d1')]);
    assert.deepEqual(attached.links, [
      { trajectory_id: 'unscoped', rule: 'EXPLICIT_ID', source_call_id: 'call_1', placement: 'ATTACHED', step: { trajectory_id: 'unscoped', step_id: 2, source: 'agent' } },
    ]);
    const standalone = await runJson<any>(['explain', MERGE, '--span', u('d2')]);
    assert.deepEqual(standalone.links, [
      { trajectory_id: 'unscoped', rule: 'NO_MATCH', source_call_id: null, placement: 'STANDALONE', step: { trajectory_id: 'unscoped', step_id: 3, source: 'system' } },
    ]);
  });
});

describe('explain --span: a step the projected tool-call cleanup removed', () => {
  // g1 and g2 overlap (two requests), both answer with call_dup and no text; the tool result lands on
  // g2's agent step, so g1's agent step is projection-shaped and all its calls are observed later:
  // the cleanup removes it, with the 15 tokens it held (atif-dedupe.md §2.8, E15). g3 asks call_x,
  // which nothing observes; g4 answers with text.
  const FILE = 'test/fixtures/explain/projected-duplicate.ndjson';

  it('says so and names the metrics lost, where it listed only the user step', async () => {
    const converted = await runCli(['convert', FILE, '-o', '-', '-q']);
    const t = JSON.parse(converted.stdout);
    assert.deepEqual(t.steps.map((s: any) => [s.source, s.extra.ancestry.function_id.slice(-2)]).slice(0, 3), [['user', 'a1'], ['user', 'a2'], ['agent', 'a2']]);
    assert.equal(t.final_metrics.total_prompt_tokens, undefined, 'the removed step took its tokens with it');
    const r = await runJson<any>(['explain', FILE, '--span', u('a1')]);
    assert.deepEqual(r.steps, [{ trajectory_id: 'unscoped', step_id: 1, source: 'user' }]);
    assert.deepEqual(r.removed_steps, [{ trajectory_id: 'unscoped', source: 'agent', rule: 'TOOLSTEP_REMOVED_PROJECTED_DUPLICATE', metrics: { completion_tokens: 5, prompt_tokens: 10 } }]);
    const text = (await runCli(['explain', FILE, '--span', u('a1'), '--no-color', '-q'])).stdout;
    assert.match(text, /its agent step \(trajectory unscoped\) was removed by the projected tool-call cleanup, TOOLSTEP_REMOVED_PROJECTED_DUPLICATE/);
    assert.match(text, /its metrics \{"completion_tokens":5,"prompt_tokens":10\} reach no step and no total/);
    // A span whose steps all stayed has no such key.
    assert.equal((await runJson<any>(['explain', FILE, '--span', u('a2')])).removed_steps, undefined);
  });

  it('--step names the cleanup rule of each kept agent step', async () => {
    const rule = async (n: number) => (await runJson<any>(['explain', FILE, '--step', String(n)])).tool_step;
    assert.deepEqual(await rule(3), { rule: 'TOOLSTEP_KEPT_NOT_PROJECTION_SHAPED', detail: 'HAS_OBSERVATION' });
    assert.deepEqual(await rule(5), { rule: 'TOOLSTEP_KEPT_NOT_ALL_OBSERVED_LATER', detail: 'call_x' });
  });

  it('--step names a user or system step a TOOLSTEP_BOUNDARY, which no report showed', async () => {
    // g3's user step (4) ends the run g1/g2 belong to: call_x (g3) is checked against no step before it.
    const r = await runJson<any>(['explain', FILE, '--step', '4']);
    assert.deepEqual([r.source, r.tool_step], ['user', { rule: 'TOOLSTEP_BOUNDARY', detail: null }]);
    assert.match((await runCli(['explain', FILE, '--step', '4', '--no-color', '-q'])).stdout, /projected tool-call cleanup: TOOLSTEP_BOUNDARY \(not an agent step/);
  });
});

describe('explain --span of a tool whose end came while the next LLM call was open', () => {
  // g1 calls ls (c1, explicit on the tool start); g2 starts; the tool end (no id of its own) comes
  // while g2 is still open, and g2 answers after it.
  const FILE = 'test/fixtures/explain/tool-end-after-next-call.ndjson';

  it('names the pre-pass id and the earlier step, and does not say another call answered in between', async () => {
    const r = await runJson<any>(['explain', FILE, '--span', u('d1')]);
    assert.deepEqual(r.links.map((l: any) => [l.rule, l.source_call_id, l.placement, l.step?.step_id]), [['PREPASS_EXPLICIT_ID', 'c1', 'ATTACHED_EARLIER', 2]]);
    const text = (await runCli(['explain', FILE, '--span', u('d1'), '--no-color', '-q'])).stdout;
    assert.match(text, /ATTACHED_EARLIER: attached to the earlier agent step that lists that tool call: another LLM call started after that step \(answered or still open\)/);
    assert.doesNotMatch(text, /answered in between/, 'g2 had not answered when the tool ended');
    // relay-0.3: the result waits for an LLM end listing c1, none comes: a trailing standalone step.
    const seed = await runJson<any>(['explain', FILE, '--span', u('d1'), '--profile', 'relay-0.3']);
    assert.deepEqual(seed.links.map((l: any) => [l.rule, l.placement, l.step?.step_id, l.step?.source]), [['PREPASS_EXPLICIT_ID', 'DEFERRED_STANDALONE', 5, 'system']]);
  });
});

describe('explain --step', () => {
  it('names the events that produced the step and the decisions on it', async () => {
    const r = await runJson<any>(['explain', MERGE, '--step', '2', '--trajectory', 'unscoped']);
    assert.equal(r.source, 'agent');
    assert.equal(r.origin.kind, 'llm-end');
    assert.deepEqual(r.origin.events.map((e: any) => [e.uuid, e.scope_category, e.file, e.line]), [[u('a1'), 'end', MERGE, 4]]);
    assert.equal(r.span.state, 'SPAN_SURVIVOR');
    assert.deepEqual(r.span.absorbed_from, [u('b1')]);
    assert.deepEqual(r.tool_step, { rule: 'TOOLSTEP_KEPT_NOT_PROJECTION_SHAPED', detail: 'MESSAGE_NOT_EMPTY' });
    assert.deepEqual(r.tool_results.map((t: any) => [t.tool, t.rule, t.placement]), [[u('d1'), 'EXPLICIT_ID', 'ATTACHED']]);
  });

  it('a standalone observation step names its tool ends', async () => {
    const r = await runJson<any>(['explain', MERGE, '--step', '3']);
    assert.equal(r.origin.kind, 'standalone-observations');
    assert.deepEqual(r.origin.events.map((e: any) => e.uuid), [u('d2')]);
  });

  it("a guardrail's step names the guardrail scope and the rejection mark it absorbed (it named no event)", async () => {
    // guardrail-rejection-step: step 3 is the rejection by jailbreak_detector (scope b2, then the
    // call's mark d1, absorbed), step 4 the guardrail that failed (scope b3, no mark).
    const file = join(ROOT, 'test', 'fixtures', 'fixes', 'guardrail-rejection-step.ndjson');
    const events = async (n: number) =>
      (await runJson<any>(['explain', file, '--step', String(n)])).origin.events.map((e: any) => [e.uuid, e.kind, e.scope_category, e.line]);
    assert.deepEqual(await events(3), [
      [u('b2'), 'scope', 'start', 5],
      [u('b2'), 'scope', 'end', 6],
      [u('d1'), 'mark', null, 7],
    ]);
    assert.deepEqual(await events(4), [
      [u('b3'), 'scope', 'start', 8],
      [u('b3'), 'scope', 'end', 9],
    ]);
    const text = await runCli(['explain', file, '--step', '3', '--no-color', '-q']);
    assert.match(text.stdout, /produced by guardrail from 3 event\(s\)/);
  });

  it('an agent step that holds its request (no user step, no-repeated-user-step) names the LLM start as well as the end', async () => {
    // a2 continues the turn after a tool round: its request goes to its agent step's extra.llm_request.
    const file = 'test/fixtures/fixes/no-repeated-user-step.ndjson';
    const r = await runJson<any>(['explain', file, '--step', '3']);
    assert.equal(r.source, 'agent');
    assert.deepEqual(r.origin.events.map((e: any) => [e.uuid, e.scope_category, e.line]), [[u('a2'), 'start', 5], [u('a2'), 'end', 6]]);
    assert.ok(r.fixes.includes('no-repeated-user-step'));
    // An agent step after its own user step names the end alone; so does relay-0.3's a2 (its user step is written).
    assert.deepEqual((await runJson<any>(['explain', file, '--step', '2'])).origin.events.map((e: any) => e.scope_category), ['end']);
    const seed = await runJson<any>(['explain', file, '--step', '4', '--profile', 'relay-0.3']);
    assert.deepEqual([seed.source, seed.origin.events.map((e: any) => [e.uuid, e.scope_category])], ['agent', [[u('a2'), 'end']]]);
  });

  it('--step on an input without trajectories says so, not that it needs --trajectory (exit 2)', async () => {
    // An empty input: "the trajectories are:" was followed by nothing. (With --session-id the input is
    // trajectory s, which has no step 1: that is said as for any step not in the output.)
    const dir = mkdtempSync(join(tmpdir(), 'relay-step-empty-'));
    writeFileSync(join(dir, 'empty.ndjson'), '');
    writeFileSync(join(dir, 'no-event.ndjson'), '{"kind":"scope"}\n');
    for (const file of ['empty.ndjson', 'no-event.ndjson']) {
      const r = await runCli(['explain', join(dir, file), '--step', '1', '-q']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--step: the input holds no trajectory, so no step to explain/);
      assert.doesNotMatch(r.stderr, /needs --trajectory/);
    }
  });

  it('rejects a bad step number, a missing step and --span with --step (exit 2)', async () => {
    for (const args of [['--step', '0'], ['--step', 'x'], ['--step', '0x2'], ['--step', '1e0'], ['--step', '99'], ['--step', '1', '--span', u('a1')]]) {
      const r = await runCli(['explain', MERGE, ...args, '-q']);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});

describe('explain: colours', () => {
  const args = ['explain', MERGE, '-q'];
  it('colours human output on a TTY', async () => {
    assert.match((await runCli(args, { stdoutIsTTY: true })).stdout, ANSI);
  });
  it('no colours when stdout is not a TTY, under NO_COLOR, or with --no-color', async () => {
    assert.doesNotMatch((await runCli(args, { stdoutIsTTY: false })).stdout, ANSI);
    assert.doesNotMatch((await runCli(args, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout, ANSI);
    assert.doesNotMatch((await runCli([...args, '--no-color'], { stdoutIsTTY: true })).stdout, ANSI);
    for (const env of [{ FORCE_COLOR: '0' }, { TERM: 'dumb' }]) assert.doesNotMatch((await runCli(args, { stdoutIsTTY: true, env })).stdout, ANSI, JSON.stringify(env));
  });
  it('validate follows the same rules', async () => {
    const bad = 'test/fixtures/explain/atif-a.json';
    const run = async (env: Record<string, string | undefined>) => (await runCli(['validate', bad, '--require-version', 'ATIF-v1.0'], { stdoutIsTTY: true, env })).stdout;
    assert.match(await run({}), ANSI);
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '0' }, { TERM: 'dumb' }]) assert.doesNotMatch(await run(env), ANSI);
  });
  it('FORCE_COLOR colours piped output (explain, validate), the text unchanged; NO_COLOR and --no-color win over it', async () => {
    const forced = (await runCli(args, { stdoutIsTTY: false, env: { FORCE_COLOR: '1' } })).stdout;
    assert.match(forced, ANSI);
    assert.equal(forced.replace(/\x1b\[[0-9;]*m/g, ''), (await runCli(args)).stdout);
    assert.doesNotMatch((await runCli(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout, ANSI);
    assert.doesNotMatch((await runCli([...args, '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout, ANSI);
    const bad = 'test/fixtures/explain/atif-a.json';
    assert.match((await runCli(['validate', bad, '--require-version', 'ATIF-v1.0'], { env: { FORCE_COLOR: '1' } })).stdout, ANSI);
    assert.doesNotMatch((await runCli([...args, '--json', '--span', u('a1')], { env: { FORCE_COLOR: '1' } })).stdout, ANSI);
  });
  it('--json is never coloured', async () => {
    const r = await runCli([...args, '--json', '--span', u('a1')], { stdoutIsTTY: true });
    assert.doesNotMatch(r.stdout, ANSI);
    JSON.parse(r.stdout);
  });
  it('colours do not change the text', async () => {
    const plain = (await runCli(args)).stdout;
    const coloured = (await runCli(args, { stdoutIsTTY: true })).stdout;
    assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), plain);
  });
});

describe('explain: run summary and --strict', () => {
  it('prints the line summary on stderr unless -q; --strict fails on skipped lines', async () => {
    const r = await runCli(['explain', MERGE]);
    assert.match(r.stderr, /^relay-atif: 9 lines, 9 events; 0 skipped, 0 rejected\n$/);
    assert.equal((await runCli(['explain', MERGE, '--strict', '-q'])).code, 0);
  });
});

describe('explain and diff describe what convert writes', () => {
  // The LLM end arrives after its top-level agent ended: convert skips it (late-event), so the
  // trajectory has the user step only.
  const late = [
    { kind: 'scope', scope_category: 'start', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:00Z', data: null },
    { kind: 'scope', scope_category: 'start', category: 'llm', name: 'gw', uuid: u('2'), parent_uuid: u('1'), timestamp: '2026-01-01T00:00:01Z', data: { messages: [{ role: 'user', content: 'hi' }] } },
    { kind: 'scope', scope_category: 'end', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:03Z', data: null },
    { kind: 'scope', scope_category: 'end', category: 'llm', name: 'gw', uuid: u('2'), parent_uuid: u('1'), timestamp: '2026-01-01T00:00:02Z', data: { choices: [{ message: { role: 'assistant', content: 'hello' } }] } },
  ].map((e) => JSON.stringify({ atof_version: '0.1', attributes: [], ...e }));
  const write = (lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-late-'));
    writeFileSync(join(dir, 'late.ndjson'), lines.join('\n') + '\n');
    return join(dir, 'late.ndjson');
  };

  it('an event after its top-level scope ended: no step for it, and the same late-event skip as convert', async () => {
    const file = write(late);
    const converted = await runCli(['convert', file, '-o', '-']);
    assert.deepEqual(JSON.parse(converted.stdout).steps.map((s: any) => s.source), ['user']);
    const step = await runCli(['explain', file, '--step', '2', '--trajectory', u('1')]);
    assert.equal(step.code, 2);
    assert.match(step.stderr, /has no step 2 in the output/);
    const overview = await runCli(['explain', file]);
    assert.match(overview.stderr, /4 lines, 3 events; 1 skipped/);
    assert.match(overview.stderr, /late-event: 1 line\(s\) \(first at .*late\.ndjson:4/);
    assert.match(converted.stderr, /4 lines, 3 events → 1 trajectory/, 'convert no longer counts the skipped event');
    const diff = await runJson<{ trajectories: Array<{ session_id: string }> }>(['diff', file]);
    assert.deepEqual(diff.trajectories.map((t) => t.session_id), [u('1')]);
  });

  it('with raw records in the input too: events are taken in convert\'s order, so the same event is late', async () => {
    const raw = readFileSync(join(ROOT, 'samples', 'hermes-gateway-session.ndjson'), 'utf8').trim().split('\n');
    const file = write([...late, ...raw]);
    const converted = await runCli(['convert', file, '-o', mkdtempSync(join(tmpdir(), 'relay-late-out-')) + '/']);
    const explained = await runCli(['explain', file]);
    const summary = (stderr: string) => stderr.split('\n').filter((l) => /late-event|replayed|lines, \d+ events/.test(l)).map((l) => l.replace(/ → .*?;/, ';'));
    assert.deepEqual(summary(explained.stderr), summary(converted.stderr));
    assert.match(explained.stderr, /late-event: 1 line\(s\) \(first at .*late\.ndjson:4/);
  });

  it('a log given twice: the second copy is late for a closed scope, not a duplicate of every span', async () => {
    const file = write([...late.slice(0, 2), late[3], late[2]]);
    const twice = await runJson<{ trajectories: Array<{ spans: Array<{ warnings: string[] }> }> }>(['explain', file, file]);
    assert.deepEqual(twice.trajectories.flatMap((t) => t.spans.flatMap((s) => s.warnings)), []);
    const once = await runJson(['explain', file]);
    assert.deepEqual(twice, once);
  });
});

describe('explain --request: a response that came after its turn was written', () => {
  // A Claude prompt, a /v1/messages call ending at :05.010 and a Stop hook at :05.000: the turn is
  // written before the call ends, so the LLM end is late (as live) and the answer is in no trajectory.
  const LATE = 'test/fixtures/explain/request-late.ndjson';

  it('says the LLM end is not in the output, in text and --json', async () => {
    const text = await runCli(['explain', LATE, '--request', 'l1', '--no-color']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /outcome buffered\n {2}its LLM end came after its top-level scope was written, as live: the response is not in the output\n/);
    const json = await runJson<{ requests: Array<{ late_events?: string[] }> }>(['explain', LATE, '--request', 'l1']);
    assert.deepEqual(json.requests[0].late_events, ['end']);
    // With --session-id everything is one trajectory, written at the end: nothing is late.
    const whole = await runJson<{ requests: Array<{ late_events?: string[] }> }>(['explain', LATE, '--request', 'l1', '--session-id', 's']);
    assert.equal(whole.requests[0].late_events, undefined);
    assert.doesNotMatch((await runCli(['explain', LATE, '--request', 'l1', '--session-id', 's', '-q'])).stdout, /not in the output/);
  });

  it('counts events as convert does: the late event apart, with the same notes', async () => {
    const summary = (stderr: string) => stderr.replace(/ → .*?;/, ';');
    const converted = await runCli(['convert', LATE, '-o', '-']);
    assert.match(converted.stderr, /3 lines, 3 events → 1 trajectory/);
    assert.match(converted.stderr, /1 reconstructed event came after their top-level scope was written/);
    for (const args of [['--request', 'l1'], []]) {
      const explained = await runCli(['explain', LATE, ...args]);
      assert.equal(summary(explained.stderr), summary(converted.stderr), args.join(' ') || 'overview');
    }
    const whole = await runCli(['explain', LATE, '--request', 'l1', '--session-id', 's']);
    assert.equal(summary(whole.stderr), summary((await runCli(['convert', LATE, '--session-id', 's', '-o', '-'])).stderr), '--session-id: 4 events, none late');
  });

  it('the late note names the first late event and the record it was rebuilt from, as every note of a loss does', async () => {
    // The span explain --span calls NOT_CANDIDATE_NO_END: the note is what ties it to the end that came too late.
    const note = `1 reconstructed event came after their top-level scope was written, as live; they are not in the output; the first: ${LATE}:2: the llm end of anthropic.messages 019e9213-54e8-7e07-b088-e548fa3c82b1`;
    for (const args of [['convert', LATE, '-o', '-'], ['convert', LATE, '-o', '-', '--jobs', '2'], ['explain', LATE], ['explain', LATE, '--span', '019e9213-54e8'], ['explain', LATE, '--request', 'l1'], ['diff', LATE]]) {
      const run = await runCli(args);
      assert.ok(run.stderr.includes(`  ${note}\n`), `${args.join(' ')}: ${run.stderr}`);
    }
    assert.match((await runCli(['explain', LATE, '--span', '019e9213-54e8', '--no-color'])).stdout, /eligibility {2}NOT_CANDIDATE_NO_END/);
  });

  it('an ATOF line that comes too late is the same late-event skip as in convert (and fails --strict)', async () => {
    const raw = readFileSync(join(ROOT, 'samples', 'hermes-gateway-session.ndjson'), 'utf8').trim().split('\n');
    const late = [
      { kind: 'scope', scope_category: 'start', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:00Z', data: null },
      { kind: 'scope', scope_category: 'end', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:03Z', data: null },
      { kind: 'mark', category: 'custom', name: 'after', uuid: u('2'), parent_uuid: u('1'), timestamp: '2026-01-01T00:00:04Z', data: null },
    ].map((e) => JSON.stringify({ atof_version: '0.1', attributes: [], ...e }));
    const dir = mkdtempSync(join(tmpdir(), 'relay-late-request-'));
    writeFileSync(join(dir, 'mixed.ndjson'), [...late, ...raw].join('\n') + '\n');
    const file = join(dir, 'mixed.ndjson');
    const converted = await runCli(['convert', file, '-o', `${dir}/out/`]);
    const explained = await runCli(['explain', file, '--request', 'cap-h1']);
    assert.match(explained.stderr, /late-event: 1 line\(s\) \(first at .*mixed\.ndjson:3/);
    assert.equal(explained.stderr.split('\n')[0], converted.stderr.split('\n')[0].replace(/ → .*?;/, ';'));
    assert.equal((await runCli(['explain', file, '--request', 'cap-h1', '--strict', '-q'])).code, 1);
  });
});

describe('explain --request: every link of the session chain, in order, each with its own reason', () => {
  // Four calls: a Codex Responses call (client_metadata.session_id wins), the same without the
  // installation id (the body session_id wins), a Chat call with the same body, and one the relay header decides.
  const CHAIN_CALLS = 'test/fixtures/explain/request-chain.ndjson';
  const rows = async (capture: string, ...flags: string[]) => {
    const r = await runCli(['explain', CHAIN_CALLS, '--request', capture, '-q', '--no-color', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => /^ {2}\d /.test(l)).map((l) => l.trim().replace(/\s+/, ' ').replace(/ {2,}/, ' '));
  };

  it('the client-metadata link is listed when the installation id is missing, and on Chat routes, with its own reason', async () => {
    assert.deepEqual(await rows('cm-noinst'), [
      '1 HEADER_RELAY_SESSION_ID no: no x-nemo-relay-session-id header [HEADER_ABSENT]',
      '2 HEADER_CLAUDE_CODE_SESSION_ID no: no x-claude-code-session-id header [HEADER_ABSENT]',
      '3 CODEX_CLIENT_METADATA_SESSION_ID no: body.client_metadata["x-codex-installation-id"] is not a non-empty string, so client_metadata.session_id is not a Codex session id [CODEX_INSTALLATION_ID_MISSING]',
      '4 CODEX_PROMPT_CACHE_KEY no: body.client_metadata["x-codex-installation-id"] is not a non-empty string, so prompt_cache_key is not a Codex thread id [CODEX_INSTALLATION_ID_MISSING]',
      "5 CODEX_COMPACT_SESSION_HEADER no: Codex's session_id header is read on its compaction requests only, not OpenAiResponses [ROUTE_NOT_RESPONSES_COMPACT]",
      '6 OPENAI_BODY_SESSION_ID chose "S-body"',
    ]);
    assert.deepEqual((await rows('chat')).slice(2, 6), [
      '3 CODEX_CLIENT_METADATA_SESSION_ID no: Codex client-metadata session routing applies to OpenAI Responses only, not OpenAiChatCompletions [ROUTE_NOT_OPENAI_RESPONSES]',
      '4 CODEX_PROMPT_CACHE_KEY no: Codex prompt-cache routing applies to OpenAI Responses only, not OpenAiChatCompletions [ROUTE_NOT_OPENAI_RESPONSES]',
      "5 CODEX_COMPACT_SESSION_HEADER no: Codex's session_id header is read on its compaction requests only, not OpenAiChatCompletions [ROUTE_NOT_RESPONSES_COMPACT]",
      '6 OPENAI_BODY_SESSION_ID chose "S-body"',
    ]);
  });

  it('the link keeps its place when it chose, and when a header decided before it', async () => {
    assert.deepEqual((await rows('cm')).slice(2), [
      '3 CODEX_CLIENT_METADATA_SESSION_ID chose "S-cm"',
      '4 CODEX_PROMPT_CACHE_KEY not reached',
      '5 CODEX_COMPACT_SESSION_HEADER not reached',
      '6 OPENAI_BODY_SESSION_ID not reached',
    ]);
    assert.deepEqual((await rows('header')).map((r) => r.split(' ').slice(0, 2).join(' ')), [
      '1 HEADER_RELAY_SESSION_ID',
      '2 HEADER_CLAUDE_CODE_SESSION_ID',
      '3 CODEX_CLIENT_METADATA_SESSION_ID',
      '4 CODEX_PROMPT_CACHE_KEY',
      '5 CODEX_COMPACT_SESSION_HEADER',
      '6 OPENAI_BODY_SESSION_ID',
    ]);
  });

  it('--json lists the links of the chain and every rejection before the winner; relay-0.3 has neither fix link', async () => {
    type Chain = { link: string; links: string[]; rejected: Array<{ link: string; reason: string }> };
    const [a] = (await runJson<{ requests: Array<{ chain: Chain }> }>(['explain', CHAIN_CALLS, '--request', 'cm-noinst'])).requests;
    assert.deepEqual(a.chain.links, ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', 'CODEX_CLIENT_METADATA_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY', 'CODEX_COMPACT_SESSION_HEADER', 'OPENAI_BODY_SESSION_ID']);
    assert.deepEqual(a.chain.rejected.map((r) => r.link), a.chain.links.slice(0, 5));
    const [seed] = (await runJson<{ requests: Array<{ chain: Chain }> }>(['explain', CHAIN_CALLS, '--request', 'cm-noinst', '--profile', 'relay-0.3'])).requests;
    assert.deepEqual(seed.chain.links, ['HEADER_RELAY_SESSION_ID', 'HEADER_CLAUDE_CODE_SESSION_ID', 'CODEX_PROMPT_CACHE_KEY', 'OPENAI_BODY_SESSION_ID']);
    assert.deepEqual(await rows('header', '--profile', 'relay-0.3').then((r) => r.length), 4);
  });
});

describe('explain --step names closed-content-parts on a tool result it trimmed', () => {
  it('as it does on a message', async () => {
    const events = [
      { kind: 'scope', scope_category: 'start', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:00Z', data: null },
      { kind: 'scope', scope_category: 'start', category: 'tool', name: 'mcp', uuid: u('2'), parent_uuid: u('1'), timestamp: '2026-01-01T00:00:01Z', data: {} },
      { kind: 'scope', scope_category: 'end', category: 'tool', name: 'mcp', uuid: u('2'), parent_uuid: u('1'), timestamp: '2026-01-01T00:00:02Z', data: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
      { kind: 'scope', scope_category: 'end', category: 'agent', name: 'root', uuid: u('1'), parent_uuid: null, timestamp: '2026-01-01T00:00:03Z', data: null },
    ].map((e) => JSON.stringify({ atof_version: '0.1', attributes: [], ...e }));
    const dir = mkdtempSync(join(tmpdir(), 'relay-closed-'));
    writeFileSync(join(dir, 'tool.ndjson'), events.join('\n') + '\n');
    const step = await runJson<{ fixes?: string[] }>(['explain', join(dir, 'tool.ndjson'), '--step', '1', '--trajectory', u('1')]);
    assert.deepEqual(step.fixes, ['closed-content-parts']);
    const seed = await runJson<{ fixes?: string[] }>(['explain', join(dir, 'tool.ndjson'), '--step', '1', '--trajectory', u('1'), '--profile', 'relay-0.3']);
    assert.equal(seed.fixes, undefined);
  });
});

describe('explain --request: what the conversion did with the call (dedupe state, steps, or why none)', () => {
  const HERMES = 'samples/hermes-gateway-session.ndjson';
  interface Conversion {
    trajectory_id: string;
    state: string;
    eligibility: string;
    suppressed_by: Array<{ span: string; name: string; rule?: string; steps: Array<{ step_id: number; source: string }> }>;
    steps: Array<{ step_id: number; source: string }>;
    removed_steps: unknown[];
  }
  const conversionOf = async (file: string, query: string, ...flags: string[]) => (await runJson<{ requests: Array<{ conversion?: Conversion }> }>(['explain', file, '--request', query, ...flags])).requests[0].conversion;

  it('a call whose span the dedupe pass suppressed says so: by which span and rule, and where that span\'s steps are', async () => {
    // cap-h1 is Hermes' own capture of the call Ollama's hook also saw: the hook's span (fidelity 100) wins.
    const text = (await runCli(['explain', HERMES, '--request', '019e78c1-667e', '--no-color', '-q'])).stdout;
    assert.match(text, /\n {2}dedupe {6}SPAN_SUPPRESSED\n {14}suppressed by 019e78c1-664c-7663-8aa8-01d5e5889364 \(ollama\), rule MERGED_SAME_PAYLOAD; that span wrote step 1 \(user\), step 2 \(agent\)\n/);
    assert.match(text, /\n {2}steps {7}none: a suppressed span writes no step/);
    const c = (await conversionOf(HERMES, 'cap-h1'))!;
    assert.deepEqual([c.state, c.steps, c.suppressed_by.map((b) => [b.span, b.rule, b.steps.map((s) => s.step_id)])], ['SPAN_SUPPRESSED', [], [['019e78c1-664c-7663-8aa8-01d5e5889364', 'MERGED_SAME_PAYLOAD', [1, 2]]]]);
    // The surviving call names its own step.
    const kept = (await conversionOf(HERMES, 'cap-h2'))!;
    assert.deepEqual([kept.state, kept.steps], ['SPAN_SURVIVOR', [{ trajectory_id: kept.trajectory_id, step_id: 3, source: 'agent' }]]);
  });

  it('a token-counting call says it wrote no step and why (fix count-tokens-calls); relay-0.3 wrote two', async () => {
    const FILE = 'test/fixtures/explain/request-count-tokens.ndjson';
    const c = (await conversionOf(FILE, 'count-1'))!;
    assert.deepEqual([c.state, c.eligibility, c.steps], ['SPAN_NOT_CANDIDATE', 'NOT_CANDIDATE_TOKEN_COUNT', []]);
    assert.match((await runCli(['explain', FILE, '--request', 'count-1', '--no-color', '-q'])).stdout, /steps {7}none: a token count is no inference and writes no step \(fix count-tokens-calls\)\n/);
    const seed = (await conversionOf(FILE, 'count-1', '--profile', 'relay-0.3'))!;
    assert.deepEqual(seed.steps.map((s) => s.source), ['user', 'agent']);
  });

  it('is the same with --session-id and with --jobs 1 or 2 (workers carry each span\'s conversion back)', async () => {
    const whole = (await conversionOf(HERMES, 'cap-h1', '--session-id', 's'))!;
    assert.deepEqual([whole.trajectory_id, whole.state, whole.suppressed_by[0].rule], ['s', 'SPAN_SUPPRESSED', 'MERGED_SAME_PAYLOAD']);
    const env = { RELAY_ATIF_JOBS_AFTER_BYTES: '1' };
    const outputs = [];
    for (const jobs of ['1', '2']) {
      for (const format of ['--json', '--no-color']) {
        const r = await runCli(['explain', HERMES, '--request', 'cap-h1', '--jobs', jobs, format], { env });
        assert.equal(r.code, 0, r.stderr);
        outputs.push([format, r.stdout, r.stderr]);
      }
    }
    assert.deepEqual(outputs.slice(2), outputs.slice(0, 2));
    assert.match(outputs[0][1], /"state": "SPAN_SUPPRESSED"/);
  });
});
