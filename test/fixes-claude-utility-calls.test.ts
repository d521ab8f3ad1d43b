/**
 * Fix `claude-utility-calls`: Claude Code's calls beside the conversation (topic detection, titles,
 * Bash command prefixes…) go to a child trajectory of their own instead of the turn's steps.
 * Fixture: the replayed events of a Claude Code turn seen by hooks and a gateway (the bundled
 * sample's turn), with a topic-detection call (no `tools`) as the prompt is submitted and a Bash
 * prefix call (`tools: []`) while the Bash tool runs.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Step, Trajectory } from '../src/atif/types.js';
import { carriesTools, isClaudeUtilityRequest } from '../src/providers/anthropic.js';
import { runCli, runJson } from './support/cli.js';

const FIX = 'claude-utility-calls';
const FIXTURE = 'test/fixtures/fixes/claude-utility-calls.ndjson';

async function convert(input: string, ...flags: string[]): Promise<Trajectory> {
  const r = await runCli(['convert', input, '-o', '-', '-q', '--no-observed-events', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one trajectory: the turn');
  return JSON.parse(lines[0]) as Trajectory;
}

/** Each step as [source, message text]: a text part array as its texts. */
const texts = (steps: Step[]) =>
  steps.map((s) => [s.source, typeof s.message === 'string' ? s.message : (s.message as Array<{ text?: string }>).map((p) => p.text ?? '').join('')]);

describe(FIX, () => {
  it('the turn keeps its own conversation; the utility calls are a child trajectory with their steps and tokens', async () => {
    const t = await convert(FIXTURE);
    assert.deepEqual(texts(t.steps), [
      ['user', 'List the TypeScript files in src/'],
      ['agent', "I'll list them."],
      ['agent', 'There are two: src/cli.ts and src/index.ts.'],
    ]);
    assert.deepEqual(t.steps[1].observation?.results.map((r) => r.content), ['src/cli.ts\nsrc/index.ts'], 'the Bash result stays with its call');
    assert.equal(t.subagent_trajectories?.length, 1);
    const [utility] = t.subagent_trajectories!;
    assert.equal(utility.trajectory_id, `${t.trajectory_id}-claude-code-utility`);
    assert.equal(utility.session_id, t.session_id);
    assert.deepEqual(utility.extra, { claude_code_utility_calls: true });
    assert.deepEqual(texts(utility.steps), [
      ['user', 'List the TypeScript files in src/'],
      ['agent', '{"isNewTopic": true, "title": "TypeScript files"}'],
      ['user', 'Command: ls src/*.ts'],
      ['agent', 'ls'],
    ]);
    assert.deepEqual(utility.final_metrics, { total_completion_tokens: 16, total_prompt_tokens: 158, total_steps: 4 }, 'the Haiku tokens are kept, in the child');
    assert.ok(utility.steps.every((s) => s.extra?.utility === true), 'each step marked, as peers mark utility calls');
    assert.ok(t.steps.every((s) => s.extra?.utility === undefined));
  });

  it('without the fix they are steps of the turn, breaking its conversation (as in relay-0.3)', async () => {
    const off = await convert(FIXTURE, '--no-fix', FIX);
    assert.equal(off.subagent_trajectories, undefined);
    assert.deepEqual(texts(off.steps).map(([source]) => source), ['user', 'user', 'agent', 'agent', 'user', 'agent', 'agent'], 'two user steps open the turn; the prefix call sits between a call and its result');
    const on = await convert(FIXTURE);
    // Every step the child holds with the fix was a step of the turn without it.
    const offTexts = texts(off.steps).map(([, m]) => m);
    for (const [, m] of texts(on.subagent_trajectories![0].steps)) assert.ok(offTexts.includes(m), m);
    assert.equal(off.steps.length, on.steps.length + on.subagent_trajectories![0].steps.length);
    assert.equal((await convert(FIXTURE, '--profile', 'relay-0.3')).subagent_trajectories, undefined);
  });

  it('explain --step names the fix on the child trajectory’s steps, and the output is valid ATIF', async () => {
    const t = await convert(FIXTURE);
    const step = await runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', '2', '--trajectory', `${t.trajectory_id}-claude-code-utility`]);
    assert.ok(step.fixes?.includes(FIX));
    const main = await runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', '1', '--trajectory', t.trajectory_id]);
    assert.ok(!main.fixes?.includes(FIX));
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it("only a Claude Code agent's calls are read so: another agent's tool-less calls stay its steps", async () => {
    const other = join(tmpdir(), `relay-atif-utility-${process.pid}.ndjson`);
    writeFileSync(other, readFileSync(FIXTURE, 'utf8').replaceAll('"agent_kind":"claude-code"', '"agent_kind":"hermes"'));
    const t = await convert(other);
    assert.equal(t.subagent_trajectories, undefined);
    assert.equal(t.steps.length, (await convert(other, '--no-fix', FIX)).steps.length);
  });

  it('only beside calls that carry tools: a capture whose calls all lack them moves nothing', async () => {
    const stripped = join(tmpdir(), `relay-atif-utility-notools-${process.pid}.ndjson`);
    const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { data?: { content?: { tools?: unknown } } });
    for (const e of lines) if (e.data?.content?.tools) delete e.data.content.tools;
    writeFileSync(stripped, lines.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const t = await convert(stripped);
    assert.equal(t.subagent_trajectories, undefined);
    assert.equal(t.steps.length, (await convert(stripped, '--no-fix', FIX)).steps.length);
  });

  it('the shape: an Anthropic body with max_tokens, no tools, one user message', () => {
    const base = { model: 'claude-3-5-haiku-20241022', max_tokens: 512, messages: [{ role: 'user', content: 'hi' }] };
    assert.equal(isClaudeUtilityRequest(base), true);
    assert.equal(isClaudeUtilityRequest({ ...base, tools: null }), true);
    assert.equal(isClaudeUtilityRequest({ ...base, tools: [] }), true);
    assert.equal(isClaudeUtilityRequest({ ...base, tools: [{ name: 'Bash', input_schema: {} }] }), false, "the conversation's own calls carry tools");
    assert.equal(carriesTools({ ...base, tools: [{ name: 'Bash', input_schema: {} }] }), true);
    assert.equal(carriesTools({ ...base, tools: [] }), false);
    assert.equal(isClaudeUtilityRequest({ ...base, messages: [...base.messages, { role: 'assistant', content: 'x' }, { role: 'user', content: 'summarize' }] }), false, 'a history (compaction)');
    assert.equal(isClaudeUtilityRequest({ ...base, messages: [{ role: 'assistant', content: 'x' }] }), false);
    assert.equal(isClaudeUtilityRequest({ ...base, messages: [] }), false);
    assert.equal(isClaudeUtilityRequest({ model: base.model, messages: base.messages }), false, 'no max_tokens: no Anthropic Messages body');
    assert.equal(isClaudeUtilityRequest('hi'), false);
  });
});
