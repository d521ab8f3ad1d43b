/**
 * Fix `tool-end-name-arguments` (NeMo-Relay #205, d1001be84; relay-cli.md §5.4): a tool end whose id
 * names no active tool ends the one active tool with its name and arguments (and its owner, when the
 * end has one). Fixture: a hooks-only Claude Code turn whose PreToolUse and PostToolUse carry no
 * `tool_use_id` (releases before it was added: each hook got its own synthetic `tool-…` id), and a
 * Hermes pre/post pair whose ids differ (the pre hook's own id, the provider's on the post hook).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import type { Json } from '../src/json/value.js';
import { runCli } from './support/cli.js';
import { agentStarted, Harness, subagentStarted, toolEnded, toolStarted } from './fixtures/sessions/harness.js';
import { events, rawFixture, registryAndProfileTests, SEED, starts, type EventJson } from './support/fixes-raw.js';

const FIX = 'tool-end-name-arguments';

const toolEnds = (list: EventJson[]) => list.filter((e) => e.kind === 'scope' && e.category === 'tool' && e.scope_category === 'end');
const callId = (e: EventJson) => (e as unknown as { category_profile: { tool_call_id: string } }).category_profile.tool_call_id;

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('relay-0.3 opens a second tool for each end and closes the first at the turn end; the fix ends the first', async () => {
    const seed = await events(FIX, ...SEED);
    assert.equal(starts(seed, 'tool').length, 4);
    assert.deepEqual(toolEnds(seed).map((e) => e.data), [
      { interrupted: false, stderr: '', stdout: '12 passing' },
      { status: 'closed_by_turn_end' },
      { content: '# demo' },
      { status: 'closed_by_agent_end' },
    ]);
    const fixed = await events(FIX);
    const fixedStarts = starts(fixed, 'tool');
    assert.equal(fixedStarts.length, 2);
    const ends = toolEnds(fixed);
    assert.deepEqual(ends.map((e) => e.data), [{ interrupted: false, stderr: '', stdout: '12 passing' }, { content: '# demo' }]);
    // Each end closes its start (same uuid) and keeps the start's id; its own id is in its metadata.
    assert.deepEqual(ends.map((e) => e.uuid), fixedStarts.map((e) => e.uuid));
    assert.equal(callId(ends[1]), 'tool-1');
    assert.equal(ends[1].metadata?.tool_correlation_end_tool_call_id, 'provider-tool-1');
    assert.equal(ends[1].metadata?.tool_correlation_end_match, 'name_arguments');
  });

  it('so the Claude Code step has one Bash call with its output, not a second one closed by the turn end', async () => {
    const bashCalls = async (...flags: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), 'tool-end-'));
      try {
        const r = await runCli(['convert', rawFixture(FIX), '-o', `${dir}/`, '-q', ...flags]);
        assert.equal(r.code, 0, r.stderr);
        const trajectories = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Trajectory);
        const claude = trajectories.find((t) => t.steps.some((s) => s.message === 'Run the tests.'))!;
        const step = claude.steps.find((s) => s.tool_calls?.length)!;
        return { calls: step.tool_calls!.map((c) => c.function_name), results: step.observation!.results.map((x) => x.extra?.tool_result) };
      } finally {
        rmSync(dir, { recursive: true });
      }
    };
    const seed = await bashCalls('--no-fix', FIX);
    assert.deepEqual(seed.calls, ['Bash', 'Bash']);
    assert.deepEqual(seed.results[1], { status: 'closed_by_turn_end' });
    assert.deepEqual(await bashCalls(), { calls: ['Bash'], results: [{ interrupted: false, stderr: '', stdout: '12 passing' }] });
  });
});

describe(`${FIX}: the session layer`, () => {
  const args = { file_path: 'README.md' };
  const open = (h: Harness, ...tools: Array<{ id: string; subagentId?: string; arguments?: Json }>) =>
    h.apply([
      agentStarted({ sessionId: 's' }),
      subagentStarted({ sessionId: 's', subagentId: 'worker-1' }),
      subagentStarted({ sessionId: 's', subagentId: 'worker-2' }),
      ...tools.map((t) => toolStarted({ sessionId: 's', toolCallId: t.id, toolName: 'Read', subagentId: t.subagentId, arguments: t.arguments ?? args })),
    ]);
  const end = (h: Harness, id: string, extra: { subagentId?: string; arguments?: Json; toolName?: string } = {}) =>
    h.apply([toolEnded({ sessionId: 's', toolCallId: id, toolName: extra.toolName ?? 'Read', subagentId: extra.subagentId, arguments: extra.arguments === undefined ? args : extra.arguments, result: { ok: true } })]);
  const active = (h: Harness) => [...h.session('s').tools.keys()];

  it('an end naming its subagent ends only that subagent\'s tool (HEAD active_tool_name_args_fallback_requires_matching_subagent_owner)', () => {
    const h = new Harness({ toolEndByArguments: true });
    open(h, { id: 'worker-1-pre', subagentId: 'worker-1' }, { id: 'worker-2-pre', subagentId: 'worker-2' });
    end(h, 'provider-worker-1', { subagentId: 'worker-1' });
    assert.deepEqual(active(h), ['worker-2-pre']);
  });

  it('an end without an owner ends the one tool that matches, whoever owns it (HEAD …_uses_unique_global_match_without_owner)', () => {
    const h = new Harness({ toolEndByArguments: true });
    open(h, { id: 'worker-1-pre', subagentId: 'worker-1' });
    end(h, 'provider-worker-1');
    assert.deepEqual(active(h), []);
    assert.equal(h.events.filter((e) => e.category === 'tool' && e.scopeCategory === 'start').length, 1, 'no second tool');
  });

  it('two candidates, other arguments, another name or an end without arguments: no match, a tool of its own as before', () => {
    for (const [tools, extra] of [
      [[{ id: 'a' }, { id: 'b' }], {}],
      [[{ id: 'a' }], { arguments: { file_path: 'other.md' } }],
      [[{ id: 'a' }], { toolName: 'Write' }],
      [[{ id: 'a' }], { arguments: null }],
    ] as const) {
      const h = new Harness({ toolEndByArguments: true });
      open(h, ...tools);
      const before = active(h);
      end(h, 'other-id', extra);
      assert.deepEqual(active(h), before, JSON.stringify(extra));
    }
  });

  it('argument key order does not count; the fix off (relay-0.3) never matches', () => {
    const h = new Harness({ toolEndByArguments: true });
    open(h, { id: 'a', arguments: { a: 1, b: [1, 2] } });
    end(h, 'other', { arguments: { b: [1, 2], a: 1 } });
    assert.deepEqual(active(h), []);
    const seed = new Harness();
    open(seed, { id: 'a' });
    end(seed, 'other');
    assert.deepEqual(active(seed), ['a']);
  });

  it('a tool ended by its own id is no candidate afterwards', () => {
    const h = new Harness({ toolEndByArguments: true });
    open(h, { id: 'a' });
    end(h, 'a');
    end(h, 'late-duplicate');
    assert.equal(h.session('s').toolIdentities.size, 0);
    assert.equal(h.events.filter((e) => e.category === 'tool' && e.scopeCategory === 'start').length, 2, 'the late end synthesizes its own tool');
  });
});

