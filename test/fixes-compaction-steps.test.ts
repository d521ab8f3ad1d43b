/**
 * Fix `compaction-steps`: a Claude Code compaction is written as ATIF v1.7 §VII describes it. Fixture:
 * the replayed events of a Claude Code session seen by hooks and a gateway: a first turn, a `/compact`
 * turn (UserPromptSubmit, PreCompact, the compaction request with the history and its closing
 * instruction, SessionStart source compact), then a turn that goes on from the summary.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compactionRuns } from '../src/atif/side-runs.js';
import type { Step } from '../src/atif/types.js';
import { runCli, runJson } from './support/cli.js';
import { convertAll } from './support/fixes.js';
import { at, ev, uuid } from './support/events.js';

const FIX = 'compaction-steps';
const FIXTURE = 'test/fixtures/fixes/compaction-steps.ndjson';
const SUMMARY = '<analysis>short</analysis>\n<summary>1. Primary Request: list TS files in src/. Found src/cli.ts and src/index.ts.</summary>';

const convert = convertAll;

/** Each step as [source, message text]: a text part array as its texts, cut at 40 characters. */
const texts = (steps: Step[]) =>
  steps.map((s) => [s.source, (typeof s.message === 'string' ? s.message : (s.message as Array<{ text?: string }>).map((p) => p.text ?? '').join('')).slice(0, 40)]);

describe(FIX, () => {
  it('the compaction mark is a context_management boundary holding the summary; the run is a child trajectory', async () => {
    const [first, compact, after] = await convert(FIXTURE);
    assert.deepEqual(texts(compact.steps), [
      ['user', '/compact'],
      ['system', 'PreCompact'],
    ]);
    const boundary = compact.steps[1];
    assert.deepEqual(boundary.extra?.context_management, { boundary: 'replace', type: 'compaction' });
    const runId = `${compact.trajectory_id}-compaction-1`;
    assert.deepEqual(boundary.observation, { results: [{ content: SUMMARY, subagent_trajectory_ref: [{ trajectory_id: runId }] }] });
    assert.equal(compact.subagent_trajectories?.length, 1);
    const [run] = compact.subagent_trajectories!;
    assert.equal(run.trajectory_id, runId);
    assert.deepEqual(run.extra, { compaction_run: true });
    assert.deepEqual(texts(run.steps), [
      ['user', 'Your task is to create a detailed summar'],
      ['agent', '<analysis>short</analysis>\n<summary>1. P'],
    ]);
    assert.deepEqual(run.final_metrics, { total_completion_tokens: 60, total_prompt_tokens: 900, total_steps: 2 }, "the run's tokens are kept, in the child");
    // The turns before and after are as without the fix.
    const off = await convert(FIXTURE, '--no-fix', FIX);
    assert.deepEqual([first, after], [off[0], off[2]]);
  });

  it('without the fix the closing instruction is a user step and the summary an agent step (as in relay-0.3)', async () => {
    const [, compact] = await convert(FIXTURE, '--no-fix', FIX);
    assert.deepEqual(texts(compact.steps), [
      ['system', 'PreCompact'],
      ['user', 'Your task is to create a detailed summar'],
      ['agent', '<analysis>short</analysis>\n<summary>1. P'],
    ]);
    assert.equal(compact.steps[0].extra?.context_management, undefined);
    assert.equal(compact.subagent_trajectories, undefined);
    assert.equal((await convert(FIXTURE, '--profile', 'relay-0.3'))[1].subagent_trajectories, undefined);
  });

  it('explain --step names the fix on the boundary and in the run; the output is valid ATIF', async () => {
    const [, compact] = await convert(FIXTURE);
    const boundary = await runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', '2', '--trajectory', compact.trajectory_id]);
    assert.ok(boundary.fixes?.includes(FIX));
    const run = await runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', '2', '--trajectory', `${compact.trajectory_id}-compaction-1`]);
    assert.ok(run.fixes?.includes(FIX));
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it("only in a Claude Code agent: another agent's call after a compaction mark stays its step", async () => {
    const other = join(tmpdir(), `relay-atif-compaction-${process.pid}.ndjson`);
    writeFileSync(other, readFileSync(FIXTURE, 'utf8').replaceAll('"agent_kind":"claude-code"', '"agent_kind":"hermes"'));
    assert.deepEqual(await convert(other), await convert(other, '--no-fix', FIX));
  });

  it('the run is the first answered call after a compaction mark that writes a step', () => {
    const agent = ev({ uuid: uuid(1), parent_uuid: null, timestamp: at(0), name: 'claude-code-turn', scope_category: 'start', category: 'agent', metadata: { agent_kind: 'claude-code' } });
    const mark = (n: number, t: number, data: unknown) => ev({ kind: 'mark', uuid: uuid(n), parent_uuid: uuid(1), timestamp: at(t), name: 'compaction', data });
    const call = (n: number, t: number) => [
      ev({ uuid: uuid(n), parent_uuid: uuid(1), timestamp: at(t), name: 'anthropic.messages', scope_category: 'start', category: 'llm', data: { messages: [] } }),
      ev({ uuid: uuid(n), parent_uuid: uuid(1), timestamp: at(t + 1), name: 'anthropic.messages', scope_category: 'end', category: 'llm', data: { content: [] } }),
    ];
    const ends = (...answered: number[]) => new Map(answered.map((n) => [uuid(n), true]));
    const items = [agent, mark(2, 1, { trigger: 'auto' }), ...call(3, 2), ...call(4, 5)];
    assert.deepEqual(compactionRuns(agent, items, ends(3, 4)).map((r) => [r.mark.uuid, r.events.map((e) => e.uuid)]), [[uuid(2), [uuid(3), uuid(3)]]]);
    assert.deepEqual(compactionRuns(agent, items, ends(4)).map((r) => r.events[0].uuid), [uuid(4)], 'a call that never answered is not the run');
    assert.deepEqual(compactionRuns(agent, [agent, mark(2, 1, {}), ...call(3, 2)], ends(3)), [], 'a mark without data writes no step to refer to the run');
    assert.deepEqual(compactionRuns(agent, [agent, ...call(3, 2), mark(2, 4, { trigger: 'auto' })], ends(3)), [], 'a call before the mark is none');
    assert.deepEqual(compactionRuns(undefined, items, ends(3, 4)), [], 'no Claude Code agent');
  });
});
