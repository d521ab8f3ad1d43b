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

  for (const fix of ['chat-stream-parallel-tool-calls', 'chat-stream-tool-identity', 'chat-stream-refusal', 'chat-stream-reasoning', 'stream-error-answer', 'stream-error-body']) {
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
  });
});
