/**
 * Fix `system-reminder-steps`: the `<system-reminder>` parts Claude Code adds to a user message are a
 * system step of a context injection (ATIF v1.7 §VII) before the user's own step. Fixture: two turns
 * of a Claude Code session seen by hooks and a gateway; the first request's user message is Claude
 * Code's context reminder (CLAUDE.md, the date), the user's question and a todo reminder; the second
 * turn's latest user message is the user's text alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step } from '../src/atif/types.js';
import { isSystemReminderPart, splitSystemReminders } from '../src/providers/system-reminders.js';
import { runCli, runJson } from './support/cli.js';
import { convertAll } from './support/fixes.js';

const FIX = 'system-reminder-steps';
const FIXTURE = 'test/fixtures/fixes/system-reminder-steps.ndjson';

const convert = (...flags: string[]) => convertAll(FIXTURE, ...flags);

/** Each step as [source, its text parts' (or string's) first 24 characters each]. */
const rows = (steps: Step[]) =>
  steps.map((s) => [s.source, typeof s.message === 'string' ? [s.message.slice(0, 24)] : (s.message as Array<{ text: string }>).map((p) => p.text.slice(0, 24))]);

describe(FIX, () => {
  it("the reminders are a context-injection system step before the user's question, which keeps the request", async () => {
    const [first, second] = await convert();
    assert.deepEqual(rows(first.steps), [
      ['system', ['<system-reminder>\nAs you', '<system-reminder>\nThis i']],
      ['user', ['How do I install the dep']],
      ['agent', ['Run `pnpm install`.']],
    ]);
    assert.deepEqual(first.steps[0].extra?.context_management, { boundary: 'append', type: 'injection' });
    assert.equal(first.steps[0].extra?.llm_request, undefined);
    assert.ok(first.steps[1].extra?.llm_request, 'the request stays on the user step');
    assert.equal(first.steps[0].timestamp, first.steps[1].timestamp);
    // A user message without reminders is as before.
    assert.deepEqual(second, (await convert('--no-fix', FIX))[1]);
  });

  it('without the fix (and in relay-0.3) the reminders are parts of the user step', async () => {
    for (const flags of [['--no-fix', FIX], ['--profile', 'relay-0.3']]) {
      const [first] = await convert(...flags);
      assert.deepEqual(rows(first.steps)[0], ['user', ['<system-reminder>\nAs you', 'How do I install the dep', '<system-reminder>\nThis i']], flags.join(' '));
      assert.ok(first.steps.every((s) => s.extra?.context_management === undefined));
    }
  });

  it('explain --step names the fix on the system step only; the output is valid ATIF', async () => {
    const [first] = await convert();
    const step = (n: number) => runJson<{ fixes?: string[] }>(['explain', FIXTURE, '--step', String(n), '--trajectory', first.trajectory_id]);
    assert.ok((await step(1)).fixes?.includes(FIX));
    assert.ok(!(await step(2)).fixes?.includes(FIX));
    const r = await runCli(['convert', FIXTURE, '-o', '-', '-q', '--validate']);
    assert.equal(r.code, 0, r.stderr);
  });

  it("a reminder part is one or more whole reminder blocks, nothing of the user's between or around them", () => {
    const text = (t: string) => ({ type: 'text', text: t });
    const block = '<system-reminder>\nx\n</system-reminder>';
    assert.equal(isSystemReminderPart(text(block)), true);
    assert.equal(isSystemReminderPart(text(`\n ${block}\n\n${block}\n`)), true, 'two blocks, padded');
    assert.equal(isSystemReminderPart(text(`${block} and also fix the tests ${block}`)), false, "the user's words between two blocks");
    assert.equal(isSystemReminderPart(text(`Please read this: ${block}`)), false);
    assert.equal(isSystemReminderPart(text(`${block} thanks`)), false);
    assert.equal(isSystemReminderPart(text('<system-reminder>never closed')), false);
    assert.equal(isSystemReminderPart({ type: 'image', text: block }), false);
    const prompt = text('Fix it');
    assert.deepEqual(splitSystemReminders([text(block), prompt]), { taken: [text(block)], rest: [prompt] });
    assert.deepEqual(splitSystemReminders([text(block)]), { taken: [text(block)], rest: undefined });
    assert.equal(splitSystemReminders([prompt]), undefined);
    assert.equal(splitSystemReminders(block), undefined, "a string message is the user's own");
  });
});
