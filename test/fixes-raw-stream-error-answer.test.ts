/**
 * Fix `stream-error-answer`: a streamed answer the provider broke off with an error event says so.
 * Anthropic sends `event: error` (`overloaded_error`) inside a stream that began with HTTP 200; the
 * live codecs (relay-cli.md §2.8) take no notice, so the LLM end was the text up to the break with
 * nothing saying the call failed, and Claude Code's resend of the same request read as a new turn
 * (the user's message twice). Fixture: a Claude Code turn whose first call is cut by
 * `overloaded_error` after one text delta, then resent and answered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { assembleSseStream } from '../src/providers/sse/assemble.js';
import { llmEndData, rawFixture, registryAndProfileTests, SEED } from './support/fixes-raw.js';
import { runCli } from './support/cli.js';

const FIX = 'stream-error-answer';
const OVERLOADED = { type: 'overloaded_error', message: 'Overloaded' };

async function trajectory(...flags: string[]): Promise<Trajectory> {
  const r = await runCli(['convert', rawFixture(FIX), '-o', '-', '-q', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Trajectory;
}

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the cut call's LLM end has the error beside the text that came before it", async () => {
    const data = (await llmEndData(FIX)) as { content: unknown; error?: unknown };
    assert.deepEqual(data.error, OVERLOADED);
    assert.deepEqual(data.content, [{ type: 'text', text: 'main.ts starts the' }]);
    assert.equal(((await llmEndData(FIX, ...SEED)) as { error?: unknown }).error, undefined);
  });

  it('the failed answer keeps its step and the resend is its retry: one user step', async () => {
    const [d, off] = [await trajectory(), await trajectory('--no-fix', FIX)];
    assert.deepEqual(d.steps.map((s) => [s.source, s.message]), [['user', 'Explain src/main.ts.'], ['agent', 'main.ts starts the'], ['agent', 'main.ts starts the HTTP server.']]);
    assert.deepEqual((d.steps[1].extra?.llm_response as { error?: unknown }).error, OVERLOADED);
    assert.deepEqual(off.steps.map((s) => s.source), ['user', 'agent', 'user', 'agent']);
  });

  it("reads each provider's error chunk; an answer's own error is kept", () => {
    const error = (format: 'openai-chat' | 'openai-responses' | 'anthropic-messages', sse: string) => assembleSseStream(format, sse, { streamErrorAnswer: true }).response.error;
    assert.deepEqual(error('openai-chat', 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {"error":{"message":"Provider returned error","code":502}}\n\n'), { message: 'Provider returned error', code: 502 });
    assert.deepEqual(error('openai-responses', 'data: {"type":"error","code":"server_error","message":"boom","sequence_number":3}\n\n'), { type: 'error', code: 'server_error', message: 'boom', sequence_number: 3 });
    const failed = 'data: {"type":"response.failed","response":{"id":"r1","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}}\n\n';
    assert.deepEqual(error('openai-responses', failed), { code: 'server_error', message: 'boom' });
    assert.equal(error('anthropic-messages', 'event: ping\ndata: {"type":"ping"}\n\n'), undefined, 'no error event, no error');
    assert.equal(assembleSseStream('anthropic-messages', 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"x"}}\n\n').response.error, undefined, 'relay-0.3');
  });
});
