/**
 * `explain --step` on a step of a gateway call names its capture, and says when the call's response
 * was not read in full (a stream cut short): the step then holds only what was read, which the step
 * alone cannot show. The replay records that per call; the step report is made where the trajectory
 * was converted (a worker with --jobs) and joined with the record in the main thread.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { runCli, runJson } from './support/cli.js';
import { gatewayRecord } from './fixtures/sessions/records.js';

const chunk = (content: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
const ask = (text: string) => ({ model: 'm', stream: true, messages: [{ role: 'user', content: text }] });
const sse = { 'content-type': 'text/event-stream' };

/** Two streamed chat calls of one session: the first read in full, the second cut off after its first chunk. */
function input(): string {
  const headers = { 'x-nemo-relay-session-id': 'gw-session' };
  const whole = { ...(gatewayRecord('call-whole', 0, { headers, body: ask('first') }) as object), response: { status: 200, headers: sse, sse: `${chunk('All ')}${chunk('done.')}data: [DONE]\n\n` } };
  const cut = { ...(gatewayRecord('call-cut', 5, { headers, body: ask('second') }) as object), response: { status: 200, headers: sse, sse: chunk('Half an'), error: 'connection reset mid-stream' } };
  const path = join(tmpdir(), `relay-atif-explain-step-gateway-${process.pid}.ndjson`);
  writeFileSync(path, [whole, cut].map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

interface StepJson {
  source: string;
  gateway_call?: { capture_id: string; response_not_read?: string };
}

describe('explain --step on a gateway call', () => {
  const file = input();

  it('names the capture, and the reason when the answer was cut short (JSON and text, one thread or workers)', async () => {
    const r = await runCli(['convert', file, '-o', '-', '-q']);
    const t = JSON.parse(r.stdout) as Trajectory;
    assert.deepEqual(
      t.steps.map((s) => [s.source, s.message]),
      [
        ['user', 'first'],
        ['agent', 'All done.'],
        ['user', 'second'],
        ['agent', 'Half an'],
      ],
    );
    for (const jobs of ['1', '2']) {
      const step = (n: number) => runJson<StepJson>(['explain', file, '--step', String(n), '--jobs', jobs]);
      assert.deepEqual((await step(2)).gateway_call, { capture_id: 'call-whole' }, `--jobs ${jobs}`);
      assert.deepEqual((await step(4)).gateway_call, { capture_id: 'call-cut', response_not_read: 'the stream broke off: connection reset mid-stream' }, `--jobs ${jobs}`);
      assert.equal((await step(3)).gateway_call?.capture_id, 'call-cut', "the request's step is the same call");
    }
    const text = await runCli(['explain', file, '--step', '4', '-q']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\n {2}gateway capture call-cut: response not read in full \(the stream broke off: connection reset mid-stream\); the step holds what was read\n {2}\(explain --request call-cut shows how it was attributed\)\n/);
    assert.match((await runCli(['explain', file, '--step', '2', '-q'])).stdout, /\n {2}gateway capture call-whole\n/);
  });

  it('the same with --session-id (one conversion of every event)', async () => {
    const cut = await runJson<StepJson>(['explain', file, '--step', '4', '--session-id', 's']);
    assert.equal(cut.gateway_call?.response_not_read, 'the stream broke off: connection reset mid-stream');
  });

  it('an ATOF step has no gateway call (no capture in the input)', async () => {
    const step = await runJson<StepJson>(['explain', 'samples/hermes-session.atof.ndjson', '--step', '2']);
    assert.equal(step.gateway_call, undefined);
  });
});
