/**
 * Fix `stream-error-body`: a stream request the provider answered with a JSON error body says it
 * failed. Anthropic answers an overloaded request with HTTP 529 and a JSON error object, stream or
 * not; the live codec (relay-cli.md §2.8.2) feeds that body to the SSE decoder, which finds no event,
 * so the LLM end was the empty aggregate `{"content": []}`: no error, retry-after-error-answer could
 * not see the attempt failed, and Claude Code's resend wrote the user's message a second time.
 * Fixture: a Claude Code turn whose first streamed call got a 529, then resent and answered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayCallOutcome } from '../src/gateway/upstream-outcome.js';
import { llmEndData, converted, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'stream-error-body';
const BODY = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' };

const convert = (...flags: string[]) => converted(FIX, ...flags);

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it("the refused call's LLM end is the error body", async () => {
    assert.deepEqual(await llmEndData(FIX), BODY);
    assert.deepEqual(await llmEndData(FIX, ...SEED), { content: [] }, 'relay-0.3: the empty aggregate');
  });

  it('the error answer keeps its step and the resend is its retry: one user step; no loss is reported', async () => {
    const [d, off] = [await convert(), await convert('--no-fix', FIX)];
    assert.deepEqual(d.t.steps.map((s) => s.source), ['user', 'agent', 'agent']);
    assert.deepEqual(d.t.steps[1].extra?.llm_response, BODY);
    assert.deepEqual(off.t.steps.map((s) => [s.source, s.message]), [['user', 'Explain src/main.ts.'], ['agent', []], ['user', 'Explain src/main.ts.'], ['agent', 'main.ts starts the HTTP server.']]);
    assert.match(off.stderr, /was captured as a JSON body, not an event stream: its answer is not read/);
    assert.doesNotMatch(d.stderr, /could not be read/);
  });

  it('only a JSON object that failed: a 2xx answer body, a non-JSON page and a 2xx stream are read as before', () => {
    type Exchange = Parameters<typeof gatewayCallOutcome>[0];
    type Start = Parameters<typeof gatewayCallOutcome>[1];
    const start = { streaming: true, route: { streamFormat: 'openai-chat' } } as unknown as Start;
    const answer = (response: Record<string, unknown>, on = true) => {
      const exchange = { endedNs: 1n, response: { headers: { first: new Map() }, bodyBytes: 10, ...response } } as unknown as Exchange;
      const outcome = gatewayCallOutcome(exchange, start, { streamErrorBody: on });
      return outcome.kind === 'streamed' ? outcome.response : outcome.kind;
    };
    const error = { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } };
    assert.deepEqual(answer({ status: 429, body: error }), error);
    assert.deepEqual(answer({ status: 200, body: error }), error, 'a router answering 200 with an error object');
    assert.deepEqual(answer({ status: 500, body: { message: 'Internal Server Error' } }), { message: 'Internal Server Error' });
    assert.deepEqual(answer({ status: 200, body: { choices: [{ message: { content: 'ok' } }] } }), { choices: [] }, 'a 2xx answer body: as live');
    assert.deepEqual(answer({ status: 502, body: 'Bad gateway' }), { choices: [] }, 'not an object');
    assert.deepEqual(answer({ status: 502, bodyText: '<html>Bad gateway</html>' }), { choices: [] }, 'not JSON');
    assert.deepEqual(answer({ status: 429, body: error }, false), { choices: [] }, 'relay-0.3');
  });
});
