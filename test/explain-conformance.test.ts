import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CASES, runCli, runJson } from './support/cli.js';

interface SpanJson {
  span: string;
  name: string;
  state: string;
  pairs: Array<{ other: string; rule: string; checks: Record<string, unknown> }>;
  suppressed_by: string[];
}
interface OverviewJson {
  trajectories: Array<{ session_id: string; spans: Array<{ span: string; name: string; state: string }>; pairs: Array<{ rule: string }> }>;
}

const HOOK = 'openrouter';
const GATEWAY = 'openai.chat_completions';

/** Each seed dedupe test with the rule and states atif-dedupe.md §4 gives (T1–T4). */
const SCENARIOS = [
  { name: 'exporter_dedupes_overlapping_hook_and_gateway_llm_spans', rule: 'MERGED_SAME_PAYLOAD', hook: 'SPAN_SURVIVOR', gateway: 'SPAN_SUPPRESSED' },
  { name: 'exporter_prefers_gateway_span_over_non_exact_hook_summary', rule: 'MERGED_COMPLEMENTARY_CORRELATION_KEY', hook: 'SPAN_SUPPRESSED', gateway: 'SPAN_SURVIVOR' },
  { name: 'exporter_keeps_overlapping_non_exact_hook_and_gateway_spans_without_shared_request_key', rule: 'KEPT_NO_SHARED_KEY', hook: 'SPAN_UNMATCHED', gateway: 'SPAN_UNMATCHED' },
  { name: 'exporter_keeps_sequential_same_content_llm_spans', rule: 'KEPT_NO_OVERLAP', hook: 'SPAN_UNMATCHED', gateway: 'SPAN_UNMATCHED' },
] as const;

function caseArgs(dir: string, sessionId: string): string[] {
  return [join(CASES, dir, 'input.ndjson'), '--profile', 'relay-0.3', '--session-id', sessionId];
}

describe('explain --json --span on the four seed dedupe tests', () => {
  for (const sc of SCENARIOS) {
    it(`${sc.name}: ${sc.rule}, hook ${sc.hook}, gateway ${sc.gateway}`, async () => {
      const expect = JSON.parse(readFileSync(join(CASES, sc.name, 'expect.json'), 'utf8')) as { options: { session_id: string } };
      const args = caseArgs(sc.name, expect.options.session_id);
      const overview = await runJson<OverviewJson>(['explain', ...args]);
      const spans = overview.trajectories[0].spans;
      const hook = spans.find((s) => s.name === HOOK)!;
      const gateway = spans.find((s) => s.name === GATEWAY)!;
      assert.ok(hook && gateway, 'one hook span and one gateway span');

      const fromGateway = await runJson<SpanJson>(['explain', ...args, '--span', gateway.span]);
      assert.equal(fromGateway.span, gateway.span);
      assert.equal(fromGateway.state, sc.gateway);
      assert.deepEqual(fromGateway.pairs.map((p) => [p.other, p.rule]), [[hook.span, sc.rule]]);

      // The same decision seen from the hook side (a uuid is matched in any case).
      const fromHook = await runJson<SpanJson>(['explain', ...args, '--span', hook.span.toUpperCase()]);
      assert.equal(fromHook.span, hook.span);
      assert.equal(fromHook.state, sc.hook);
      assert.deepEqual(fromHook.pairs.map((p) => [p.other, p.rule]), [[gateway.span, sc.rule]]);
    });
  }

  it('T2 records the shared key and the fidelity scores that decided it', async () => {
    const sc = SCENARIOS[1];
    const args = caseArgs(sc.name, 'session-1');
    const overview = await runJson<OverviewJson>(['explain', ...args]);
    const hook = overview.trajectories[0].spans.find((s) => s.name === HOOK)!;
    const r = await runJson<SpanJson>(['explain', ...args, '--span', hook.span]);
    const checks = r.pairs[0].checks as { evidence: { shared_keys: string[] }; fidelity: { left: number; right: number }; payload: { request_equal: boolean } };
    assert.deepEqual(checks.evidence.shared_keys, ['request:request-1']);
    assert.equal(checks.payload.request_equal, false);
    assert.deepEqual(checks.fidelity, { left: 30, right: 50 });
    assert.equal(r.suppressed_by.length, 1);
  });
});

/** Every `extra.ancestry.function_id` of every step, subagent trajectories included. */
function ancestryIds(t: { steps: Array<{ extra?: { ancestry?: { function_id?: string } } }>; subagent_trajectories?: unknown[] }, into = new Set<string>()): Set<string> {
  for (const s of t.steps) if (s.extra?.ancestry?.function_id) into.add(s.extra.ancestry.function_id);
  for (const c of t.subagent_trajectories ?? []) ancestryIds(c as Parameters<typeof ancestryIds>[0], into);
  return into;
}

describe('explain --json agrees with the converted trajectories on every gen-dd case', () => {
  const cases = readdirSync(CASES).filter((c) => c.startsWith('gen-dd-')).sort();
  it('finds the gen-dd cases', () => assert.ok(cases.length >= 30, `only ${cases.length} gen-dd cases`));
  for (const dir of cases) {
    it(`${dir}: SPAN_SUPPRESSED = LLM spans absent from the step ancestry`, async () => {
      const meta = JSON.parse(readFileSync(join(CASES, dir, 'meta.json'), 'utf8')) as { session_id: string };
      const args = caseArgs(dir, meta.session_id);
      const converted = await runCli(['convert', ...args, '-q']);
      assert.equal(converted.code, 0, converted.stderr);
      const present = ancestryIds(JSON.parse(converted.stdout));
      const overview = await runJson<OverviewJson>(['explain', ...args]);
      const spans = overview.trajectories.flatMap((t) => t.spans);
      const suppressed = spans.filter((s) => s.state === 'SPAN_SUPPRESSED').map((s) => s.span).sort();
      const absent = spans.filter((s) => !present.has(s.span)).map((s) => s.span).sort();
      assert.deepEqual(suppressed, absent);
    });
  }
});
