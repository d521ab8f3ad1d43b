/**
 * Fix `stream-without-request`: a gateway call whose request body was not read (not captured,
 * undecodable, not JSON) is decoded as a stream when its response was captured as an event stream.
 * The live gateway decodes an answer by the request's "stream" flag (relay-cli.md §2.8); with no body
 * there is no flag, so relay-0.3 reads the call as buffered and keeps only `{"body_bytes": n}` of the
 * stream. Fixture: a Codex turn whose recorder kept the request's headers but not its body.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildLlmGatewayStart } from '../src/gateway/llm-start.js';
import { gatewayCallOutcome } from '../src/gateway/upstream-outcome.js';
import { decodeGatewayRecord } from '../src/ingest/records/gateway.js';
import type { JsonObject } from '../src/json/value.js';
import { events, llmEndData, converted, registryAndProfileTests, SEED } from './support/fixes-raw.js';

const FIX = 'stream-without-request';

const convert = (...flags: string[]) => converted(FIX, ...flags);

describe(FIX, () => {
  registryAndProfileTests(FIX);

  it('the LLM end is the assembled stream, and the start says it streamed', async () => {
    const end = (await llmEndData(FIX)) as { id?: string; output?: unknown[]; usage?: unknown };
    assert.equal(end.id, 'resp_1');
    assert.equal(end.output?.length, 1);
    assert.deepEqual(end.usage, { input_tokens: 2400, input_tokens_details: { cached_tokens: 2048 }, output_tokens: 9, total_tokens: 2409 });
    assert.deepEqual(await llmEndData(FIX, ...SEED), { body_bytes: 1340 }, 'relay-0.3: the size of the stream only');
    const llmStart = async (...flags: string[]) => (await events(FIX, ...flags)).find((e) => e.category === 'llm' && e.scope_category === 'start') as unknown as { attributes: string[] };
    assert.deepEqual((await llmStart()).attributes, ['streaming']);
    assert.deepEqual((await llmStart(...SEED)).attributes, []);
  });

  it("the agent step has the answer and its usage; the stream is no longer reported as not read", async () => {
    const [d, off] = [await convert(), await convert('--no-fix', FIX)];
    assert.deepEqual(d.t.steps[1].message, 'Two tests fail in math.test.ts.');
    assert.deepEqual([d.t.steps[1].metrics?.prompt_tokens, d.t.steps[1].metrics?.cached_tokens, d.t.steps[1].metrics?.completion_tokens], [2400, 2048, 9]);
    // Without the fix the answer is the gateway's stand-in for a body it did not read (its message
    // "" under empty-answer-message, '{"body_bytes":1340}' under relay-0.3).
    assert.deepEqual(off.t.steps[1].extra?.llm_response, { body_bytes: 1340 });
    assert.equal(off.t.steps[1].message, '');
    assert.equal(off.t.steps[1].metrics, undefined);
    assert.match(off.stderr, /the request did not ask for a stream but the response \(HTTP 200\) was captured as an event stream/);
    assert.doesNotMatch(d.stderr, /could not be read in full/);
    // The missing body is still counted.
    assert.match(d.stderr, /1 gateway call had a request body that is missing or not JSON.*: no body/);
  });

  it('only a call without a readable body: a request that asked for no stream, or a JSON answer, reads as before', () => {
    type Exchange = Parameters<typeof gatewayCallOutcome>[0];
    const route = { kind: 'OpenAiResponses', provider: 'openai.responses', streamFormat: 'openai-responses' } as unknown as Parameters<typeof buildLlmGatewayStart>[1];
    const sse = 'data: {"type":"response.completed","response":{"id":"r","output":[],"usage":{"input_tokens":1,"output_tokens":1}}}\n\n';
    const streamed = { status: 200, headers: { 'content-type': 'text/event-stream' }, sse };
    const exchange = (request: Record<string, unknown>, response: Record<string, unknown>): Exchange => {
      const record = { record: 'gateway', id: 'c', started_at: '2026-06-01T10:00:00Z', ended_at: '2026-06-01T10:00:01Z', method: 'POST', path: '/v1/responses', headers: {}, ...request, response };
      const r = decodeGatewayRecord(record as unknown as JsonObject);
      assert.ok(r.ok);
      return r.exchange;
    };
    const kind = (x: Exchange, on = true) => {
      const start = buildLlmGatewayStart(x, route, { streamWithoutRequest: on });
      return [start.streaming, gatewayCallOutcome(x, start, { streamWithoutRequest: on }).kind];
    };
    assert.deepEqual(kind(exchange({}, streamed)), [true, 'streamed'], 'no body captured');
    assert.deepEqual(kind(exchange({ body_text: '{"model": "m", "stream": tr' }, streamed)), [true, 'streamed'], 'a body that is not JSON');
    assert.deepEqual(kind(exchange({ headers: { 'content-encoding': 'compress' }, body_base64: 'AAAA' }, streamed)), [true, 'streamed'], 'an undecodable body');
    assert.deepEqual(kind(exchange({}, streamed), false), [false, 'buffered'], 'relay-0.3');
    assert.deepEqual(kind(exchange({ body: { model: 'm', stream: false } }, streamed)), [false, 'buffered'], 'the request said no stream');
    assert.deepEqual(kind(exchange({}, { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'r', output: [] } })), [false, 'buffered'], 'a JSON answer');
  });
});
