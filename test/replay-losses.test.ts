/**
 * README, Reliability: "Nothing is lost silently". What the replay keeps as live but cannot show in
 * the trajectories (a request or response it could not read, a hook the session layer dropped) is
 * counted in its stats, and named, the first one by file and line, in the notes under the summary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../src/json/value.js';
import { describeReplay } from '../src/pipeline/raw.js';
import { at, gatewayRecord, replayLines } from './fixtures/sessions/records.js';

/** A gateway capture with its request body fields replaced by `body` (none when empty). */
function captureWithRequest(id: string, seconds: number, body: Record<string, Json>): Json {
  const { body: _dropped, ...rest } = gatewayRecord(id, seconds, {}) as Record<string, Json>;
  return { ...rest, ...body };
}

/** A HAR entry; `postData` left out when undefined. */
function harEntry(seconds: number, postData: Json | undefined, content: Json): Json {
  const request: Record<string, Json> = { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [{ name: 'content-type', value: 'application/json' }] };
  if (postData !== undefined) request.postData = postData;
  return { startedDateTime: at(seconds), time: 500, request, response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], content } };
}

const ANSWER = { mimeType: 'application/json', text: JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' } }] }) };

describe('a gateway call with no request body at all', () => {
  it('counts with the request bodies that are not JSON, "no body" for its reason (gateway capture and HAR entry)', async () => {
    const result = await replayLines([
      captureWithRequest('none', 1, {}),
      harEntry(3, undefined, ANSWER),
      captureWithRequest('empty', 5, { body_text: '' }),
    ]);
    assert.equal(result.stats.gatewayCalls, 3);
    assert.equal(result.stats.requestBodiesNotJson, 3);
    const note = describeReplay(result.stats).find((n) => n.includes('request body'));
    assert.equal(note, '3 gateway calls had a request body that is missing or not JSON, replayed as live with a null request (no messages, model or body session id); the first: in.ndjson:1: no body');
  });
});
