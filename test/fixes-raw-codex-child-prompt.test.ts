/**
 * Fix `codex-child-prompt`: a Codex child thread's UserPromptSubmit (its session aliased to the parent
 * thread, relay-cli.md §3.7.1) is a prompt_submitted mark under the child's own subagent scope, not
 * under the parent's turn; with hook-turn-steps it is the subagent's prompt. Fixture: a hooks-only
 * Codex turn that spawns a helper thread, which is given its task, runs one Bash call and answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { runCli, runJson } from './support/cli.js';
import { events, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'codex-child-prompt';

/** The root trajectory and its one subagent trajectory, each as [source, message] pairs. */
async function trajectories(...flags: string[]): Promise<{ parent: string[][]; child: string[][]; json: Trajectory }> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Trajectory;
  const pairs = (t: Trajectory) => t.steps.map((s) => [s.source, String(s.message)]);
  assert.equal(json.subagent_trajectories?.length, 1);
  return { parent: pairs(json), child: pairs(json.subagent_trajectories![0]), json };
}

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the prompt mark's parent is the child's subagent scope, not the parent's turn", async () => {
    const parentName = async (...flags: string[]) => {
      const list = await events(FIX, ...flags);
      const mark = list.find((e) => e.kind === 'mark' && e.name === 'prompt_submitted');
      assert.deepEqual(mark?.data && (mark.data as { prompt?: string }).prompt, 'Audit src/parse.ts for bugs');
      return list.find((e) => e.kind === 'scope' && e.scope_category === 'start' && e.uuid === mark?.parent_uuid)?.name;
    };
    assert.equal(await parentName(...SEED), 'codex-turn');
    assert.equal(await parentName(), 'subagent:thread-child');
  });

  it("the parent's trajectory loses the child's system step; the child's opens with its task", async () => {
    const before = await trajectories('--no-fix', FIX);
    assert.deepEqual(before.parent, [
      ['user', 'Have a helper audit src/parse.ts'],
      ['agent', ''],
      ['system', 'UserPromptSubmit'],
      ['agent', 'The helper found no bugs in parse.ts.'],
    ]);
    assert.deepEqual(before.child, [['agent', ''], ['agent', 'parse.ts: no bugs found.']]);
    const after = await trajectories();
    assert.deepEqual(after.parent, [
      ['user', 'Have a helper audit src/parse.ts'],
      ['agent', ''],
      ['agent', 'The helper found no bugs in parse.ts.'],
    ]);
    assert.deepEqual(after.child, [['user', 'Audit src/parse.ts for bugs'], ['agent', ''], ['agent', 'parse.ts: no bugs found.']]);
    // The task's step is timed at the subagent's start (where a request's user step would be) and says which fixes wrote it.
    const childSteps = after.json.subagent_trajectories![0].steps;
    assert.equal(childSteps[0].timestamp, '2026-06-01T10:00:03+00:00');
    const explained = await runJson<{ fixes?: string[] }>(['explain', rawFixture(FIX), '--trajectory', String(after.json.subagent_trajectories![0].trajectory_id), '--step', '1']);
    assert.deepEqual(explained.fixes, ['hook-turn-steps', FIX]);
  });

  it('without hook-turn-steps the mark is a system step of the child, no longer of the parent', async () => {
    const { parent, child } = await trajectories('--no-fix', 'hook-turn-steps');
    assert.equal(parent.some(([, m]) => m === 'UserPromptSubmit'), false);
    assert.deepEqual(child[0], ['system', 'UserPromptSubmit']);
  });
});
