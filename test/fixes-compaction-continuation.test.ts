/**
 * Fix `compaction-continuation`: the summary Claude Code sends as the first user message after a
 * compaction is a copied-context step of its own, not what the user typed. Fixture: two turns of a
 * Claude Code session seen by hooks and a gateway after a compaction: the first request merges the
 * continuation (older wording) with the user's prompt as two text blocks; in the second turn an
 * automatic compaction ran mid-task, and the next request is the continuation alone (newer wording).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step, Trajectory } from '../src/atif/types.js';
import { splitCompactionContinuation } from '../src/providers/compaction-continuation.js';
import { runCli, runJson } from './support/cli.js';
import { convertAll } from './support/fixes.js';

const FIX = 'compaction-continuation';
const FIXTURE = 'test/fixtures/fixes/compaction-continuation.ndjson';
const HEAD = 'This session is being continued from a previous conversation that ran out of context.';

const convert = (...flags: string[]) => convertAll(FIXTURE, ...flags);

const textOf = (m: unknown) => (typeof m === 'string' ? m : (m as Array<{ text?: string }>).map((p) => p.text ?? '').join('|'));
/** Each step as [source, copied?, message text cut at 30 characters]. */
const rows = (steps: Step[]) => steps.map((s) => [s.source, s.is_copied_context === true, textOf(s.message).slice(0, 30)]);

describe(FIX, () => {
  it("the continuation is a copied-context user step before the user's own prompt", async () => {
    const [first, second] = await convert();
    assert.deepEqual(rows(first.steps), [
      ['user', true, 'This session is being continue'],
      ['user', false, 'Now count the lines'],
      ['agent', false, 'Counting.'],
      ['agent', false, 'There are 120 lines.'],
    ]);
    // The request stays on the user's step; the copied step holds only the summary.
    assert.equal(first.steps[0].extra?.llm_request, undefined);
    assert.ok(first.steps[1].extra?.llm_request);
    assert.ok(textOf(first.steps[0].message).includes('Found src/cli.ts and src/index.ts.'));
    assert.ok(!textOf(first.steps[1].message).includes(HEAD));
    // After an automatic compaction the user typed nothing: the only step of the request is copied context.
    assert.deepEqual(rows(second.steps), [
      ['user', false, 'Now refactor src/cli.ts'],
      ['agent', false, ''],
      ['user', true, 'This session is being continue'],
      ['agent', false, 'Done: src/cli.ts now uses cons'],
    ]);
    assert.ok(second.steps[2].extra?.llm_request, 'a request with nothing of the user in it keeps its request on the copied step');
  });

  it('without the fix (and in relay-0.3) the continuation is the user step, or a part of it', async () => {
    const [first, second] = await convert('--no-fix', FIX);
    assert.deepEqual(rows(first.steps).slice(0, 2), [
      ['user', false, 'This session is being continue'],
      ['agent', false, 'Counting.'],
    ]);
    assert.ok(textOf(first.steps[0].message).endsWith('|Now count the lines'));
    assert.deepEqual(rows(second.steps)[2], ['user', false, 'This session is being continue']);
    const seed = await convert('--profile', 'relay-0.3');
    assert.ok(seed.every((t) => t.steps.every((s) => s.is_copied_context === undefined)));
  });

  it('explain --step names the fix on the copied steps only; the output is valid ATIF', async () => {
    const [first, second] = await convert();
    const step = (t: Trajectory, n: number) => runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', String(n), '--trajectory', t.trajectory_id]);
    assert.ok((await step(first, 1)).fixes?.includes(FIX));
    assert.ok(!(await step(first, 2)).fixes?.includes(FIX));
    assert.ok((await step(second, 3)).fixes?.includes(FIX));
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('splitCompactionContinuation: only a text that opens with the continuation is one', () => {
    const cont = { type: 'text', text: `${HEAD} The conversation is summarized below:\n1. x` };
    const prompt = { type: 'text', text: 'Now count the lines' };
    const reminder = { type: 'text', text: '<system-reminder>\nx\n</system-reminder>' };
    assert.deepEqual(splitCompactionContinuation([cont, reminder, prompt]), { taken: [cont], rest: [reminder, prompt] });
    assert.deepEqual(splitCompactionContinuation([cont]), { taken: [cont], rest: undefined });
    assert.deepEqual(splitCompactionContinuation(`\n${HEAD} Summary: y`), { taken: `\n${HEAD} Summary: y`, rest: undefined });
    assert.equal(splitCompactionContinuation([prompt, reminder]), undefined);
    assert.equal(splitCompactionContinuation(`Why does Claude say "${HEAD}"?`), undefined, 'a user quoting it typed it');
    assert.equal(splitCompactionContinuation([{ type: 'text', text: `Quoting: ${HEAD}` }]), undefined);
    assert.equal(splitCompactionContinuation([{ type: 'image', text: HEAD }]), undefined, 'only text parts');
    assert.equal(splitCompactionContinuation(null), undefined);
  });
});
