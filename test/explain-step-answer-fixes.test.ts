import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runJson } from './support/cli.js';

/**
 * `explain --step` names the replay-side fixes that changed how a streamed answer was read (the SSE
 * assembly's and stream-error-body): the replay records them on the gateway call when their branch
 * changed the answer, and the step of that call's LLM end shows them beside the exporter's own.
 */
describe('explain --step: the fixes that changed how the answer was read', () => {
  const fixesOf = async (fix: string, step: number, ...flags: string[]) =>
    (await runJson<{ fixes?: string[] }>(['explain', `test/fixtures/fixes-raw/${fix}.ndjson`, '--step', String(step), '-q', ...flags])).fixes ?? [];

  const FIXES = [
    ...['chat-stream-parallel-tool-calls', 'chat-stream-tool-identity', 'chat-stream-refusal', 'chat-stream-reasoning'],
    ...['anthropic-stream-usage', 'anthropic-stream-thinking', 'anthropic-stream-empty-tool-input', 'anthropic-stream-stop-details'],
    ...['responses-stream-deltas', 'stream-error-answer', 'stream-error-body'],
  ];
  for (const fix of FIXES) {
    it(`${fix}: named on the agent step of the call it changed, not on its user step, and not when switched off`, async () => {
      assert.ok((await fixesOf(fix, 2)).includes(fix));
      assert.ok(!(await fixesOf(fix, 1)).includes(fix));
      assert.ok(!(await fixesOf(fix, 2, '--no-fix', fix)).includes(fix));
    });
  }

  it('a fix that was on but changed nothing is not named (a chat stream with one call per index)', async () => {
    // The refusal fixture's stream has no tool calls and no reasoning: those fixes are on and did nothing.
    const named = await fixesOf('chat-stream-refusal', 2);
    for (const idle of ['chat-stream-parallel-tool-calls', 'chat-stream-tool-identity', 'chat-stream-reasoning']) assert.ok(!named.includes(idle), idle);
    // The second call of the empty-tool-input fixture streams its tool's input: that fix did nothing there.
    assert.ok(!(await fixesOf('anthropic-stream-empty-tool-input', 3)).includes('anthropic-stream-empty-tool-input'));
    // A thinking-free Anthropic stream: the thinking fix is on and idle.
    assert.ok(!(await fixesOf('anthropic-stream-usage', 2)).includes('anthropic-stream-thinking'));
  });
});
